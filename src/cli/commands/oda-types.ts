/**
 * The `shanfu oda verify` contract (issue 4 / issue 5; ../shared/conformance/run.mjs uses it).
 * RSA cases are handled in oda.ts, SM2 cases (capk.algorithm === "SM2") in oda-sm.ts; both return
 * the same shape.
 */
export type OdaMethod = 'SDA' | 'DDA' | 'fDDA' | 'CDA' | 'CHAIN';

export type OdaCaseInput = {
  capk: { rid: string; index: string | number; modulus?: string; exponent?: string; algorithm?: 'RSA' | 'SM2'; publicKey?: string };
  issuerPublicKey?: { modulus?: string; exponent?: string; publicKey?: string };
  iccPublicKey?: { modulus?: string; exponent?: string; publicKey?: string };
  method: OdaMethod;
  /** YYMMDD */
  transactionDate: string;
  tags: Record<string, string>;
  staticData?: string;
  ddolData?: string;
  cdaTransactionData?: string;
};

export type OdaCaseOutput = {
  ok: boolean;
  method: OdaMethod;
  /** null, or "<stage>:<reason>" with stage capk | issuer | icc | ssad | sdad. */
  failure: string | null;
  issuer?: { ok: boolean; issuerId?: string; expiry?: string; serial?: string; modulus?: string; exponent?: string; publicKey?: string };
  icc?: { ok: boolean; pan?: string; expiry?: string; serial?: string; modulus?: string; exponent?: string; publicKey?: string };
  ssad?: { ok: boolean; dac?: string };
  sdad?: { ok: boolean; iccDynamicNumber?: string; cid?: string; ac?: string; transactionDataHash?: string };
};

/** Unusable input (exit 2): the message says what is wrong. */
export class OdaInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OdaInputError';
  }
}
