/**
 * The tag dictionary: names and formats for EMV, qPBOC / electronic cash and the transit extended
 * application. Some tags mean different things per kernel (qpboc-facts §9): lookups take a context.
 *
 * Sources: EMV Book 3 Annex A (data element dictionary); qpboc-facts §1.4, §1.10, §4.2, §6, §9
 * (UnionPay / PBOC and the JR/T 0025.14 extended application); Visa and Mastercard meanings as listed
 * by proxmark3 `emv_tags.c` (qpboc-facts §9).
 */

/** EMV data formats (Book 3 §4.3) plus the structural kinds a decoder needs. */
export type TagFormat = 'b' | 'n' | 'cn' | 'an' | 'ans' | 'template' | 'dol' | 'tags';

/** Whose meaning of a tag to use. `qpboc` is the default: UnionPay QuickPass / PBOC. */
export type TagContext = 'qpboc' | 'visa' | 'mastercard';

export type TagInfo = {
  tag: number;
  name: string;
  format: TagFormat;
  /** Where the tag means something else in another kernel. */
  other?: Partial<Record<TagContext, { name: string; format: TagFormat }>>;
};

/**
 * Numeric format codes for the hot path (DOL building): a Map<number, number> lookup allocates
 * nothing, where `tagInfo` in a non-default context builds an object.
 */
export const TagFormatCode = { b: 0, n: 1, cn: 2, an: 3, ans: 4, template: 5, dol: 6, tags: 7 } as const;
export type TagFormatCodeValue = (typeof TagFormatCode)[keyof typeof TagFormatCode];

const TAGS = new Map<number, TagInfo>();
const FORMAT_CODES = new Map<number, number>();

function def(tag: number, name: string, format: TagFormat, other?: TagInfo['other']): void {
  TAGS.set(tag, other ? { tag, name, format, other } : { tag, name, format });
  FORMAT_CODES.set(tag, TagFormatCode[format]);
}

// ---- Templates (Book 3 Annex A, Table 33) --------------------------------------------------------
def(0x61, 'Application Template', 'template');
def(0x6f, 'File Control Information (FCI) Template', 'template');
def(0x70, 'READ RECORD Response Message Template', 'template');
def(0x71, 'Issuer Script Template 1', 'template');
def(0x72, 'Issuer Script Template 2', 'template');
def(0x73, 'Directory Discretionary Template', 'template');
def(0x77, 'Response Message Template Format 2', 'template');
def(0xa5, 'File Control Information (FCI) Proprietary Template', 'template');
def(0xbf0c, 'File Control Information (FCI) Issuer Discretionary Data', 'template');

// ---- EMV primitives (Book 3 Annex A) -------------------------------------------------------------
def(0x42, 'Issuer Identification Number (IIN)', 'n');
def(0x4f, 'Application Identifier (ADF Name)', 'b');
def(0x50, 'Application Label', 'ans');
def(0x57, 'Track 2 Equivalent Data', 'b');
def(0x5a, 'Application Primary Account Number (PAN)', 'cn');
def(0x5f20, 'Cardholder Name', 'ans');
def(0x5f24, 'Application Expiration Date', 'n');
def(0x5f25, 'Application Effective Date', 'n');
def(0x5f28, 'Issuer Country Code', 'n');
def(0x5f2a, 'Transaction Currency Code', 'n');
def(0x5f2d, 'Language Preference', 'an');
def(0x5f30, 'Service Code', 'n');
def(0x5f34, 'Application PAN Sequence Number', 'n');
def(0x5f36, 'Transaction Currency Exponent', 'n');
def(0x5f50, 'Issuer URL', 'ans');
def(0x5f53, 'International Bank Account Number (IBAN)', 'b');
def(0x5f54, 'Bank Identifier Code (BIC)', 'b');
def(0x5f55, 'Issuer Country Code (alpha2 format)', 'an');
def(0x5f56, 'Issuer Country Code (alpha3 format)', 'an');
def(0x5f57, 'Account Type', 'n');
def(0x80, 'Response Message Template Format 1', 'b');
def(0x81, 'Amount, Authorised (Binary)', 'b');
def(0x82, 'Application Interchange Profile (AIP)', 'b');
def(0x83, 'Command Template', 'b');
def(0x84, 'Dedicated File (DF) Name', 'b');
def(0x86, 'Issuer Script Command', 'b');
def(0x87, 'Application Priority Indicator', 'b');
def(0x88, 'Short File Identifier (SFI)', 'b');
def(0x89, 'Authorisation Code', 'ans');
def(0x8a, 'Authorisation Response Code', 'an');
def(0x8c, 'Card Risk Management Data Object List 1 (CDOL1)', 'dol');
def(0x8d, 'Card Risk Management Data Object List 2 (CDOL2)', 'dol');
def(0x8e, 'Cardholder Verification Method (CVM) List', 'b');
def(0x8f, 'Certification Authority Public Key Index', 'b');
def(0x90, 'Issuer Public Key Certificate', 'b');
def(0x91, 'Issuer Authentication Data', 'b');
def(0x92, 'Issuer Public Key Remainder', 'b');
def(0x93, 'Signed Static Application Data', 'b');
def(0x94, 'Application File Locator (AFL)', 'b');
def(0x95, 'Terminal Verification Results (TVR)', 'b');
def(0x97, 'Transaction Certificate Data Object List (TDOL)', 'dol');
def(0x98, 'Transaction Certificate (TC) Hash Value', 'b');
def(0x99, 'Transaction Personal Identification Number (PIN) Data', 'b');
def(0x9a, 'Transaction Date', 'n');
def(0x9b, 'Transaction Status Information (TSI)', 'b');
def(0x9c, 'Transaction Type', 'n');
def(0x9d, 'Directory Definition File (DDF) Name', 'b');
def(0x9f01, 'Acquirer Identifier', 'n');
def(0x9f02, 'Amount, Authorised (Numeric)', 'n');
def(0x9f03, 'Amount, Other (Numeric)', 'n');
def(0x9f04, 'Amount, Other (Binary)', 'b');
def(0x9f05, 'Application Discretionary Data', 'b');
def(0x9f06, 'Application Identifier (AID) - terminal', 'b');
def(0x9f07, 'Application Usage Control (AUC)', 'b');
def(0x9f08, 'Application Version Number (card)', 'b');
def(0x9f09, 'Application Version Number (terminal)', 'b');
def(0x9f0a, 'Application Selection Registered Proprietary Data', 'b');
def(0x9f0b, 'Cardholder Name Extended', 'ans');
def(0x9f0d, 'Issuer Action Code - Default', 'b');
def(0x9f0e, 'Issuer Action Code - Denial', 'b');
def(0x9f0f, 'Issuer Action Code - Online', 'b');
def(0x9f10, 'Issuer Application Data (IAD)', 'b');
def(0x9f11, 'Issuer Code Table Index', 'n');
def(0x9f12, 'Application Preferred Name', 'ans');
def(0x9f13, 'Last Online Application Transaction Counter (ATC) Register', 'b');
def(0x9f14, 'Lower Consecutive Offline Limit', 'b');
def(0x9f15, 'Merchant Category Code', 'n');
def(0x9f16, 'Merchant Identifier', 'ans');
def(0x9f17, 'Personal Identification Number (PIN) Try Counter', 'b');
def(0x9f18, 'Issuer Script Identifier', 'b');
def(0x9f19, 'Token Requestor ID', 'n');
def(0x9f1a, 'Terminal Country Code', 'n');
def(0x9f1b, 'Terminal Floor Limit', 'b');
def(0x9f1c, 'Terminal Identification', 'an');
def(0x9f1d, 'Terminal Risk Management Data', 'b');
def(0x9f1e, 'Interface Device (IFD) Serial Number', 'an');
def(0x9f1f, 'Track 1 Discretionary Data', 'ans');
def(0x9f20, 'Track 2 Discretionary Data', 'cn');
def(0x9f21, 'Transaction Time', 'n');
def(0x9f22, 'Certification Authority Public Key Index (terminal)', 'b');
def(0x9f23, 'Upper Consecutive Offline Limit', 'b');
def(0x9f24, 'Payment Account Reference (PAR)', 'an');
def(0x9f25, 'Last 4 Digits of PAN', 'n');
def(0x9f26, 'Application Cryptogram', 'b');
def(0x9f27, 'Cryptogram Information Data (CID)', 'b');
def(0x9f29, 'Extended Selection', 'b');
def(0x9f2a, 'Kernel Identifier', 'b');
def(0x9f2d, 'ICC PIN Encipherment Public Key Certificate', 'b');
def(0x9f2e, 'ICC PIN Encipherment Public Key Exponent', 'b');
def(0x9f2f, 'ICC PIN Encipherment Public Key Remainder', 'b');
def(0x9f32, 'Issuer Public Key Exponent', 'b');
def(0x9f33, 'Terminal Capabilities', 'b');
def(0x9f34, 'Cardholder Verification Method (CVM) Results', 'b');
def(0x9f35, 'Terminal Type', 'n');
def(0x9f36, 'Application Transaction Counter (ATC)', 'b');
def(0x9f37, 'Unpredictable Number', 'b');
def(0x9f38, 'Processing Options Data Object List (PDOL)', 'dol');
def(0x9f39, 'Point-of-Service (POS) Entry Mode', 'n');
def(0x9f3a, 'Amount, Reference Currency', 'b');
def(0x9f3b, 'Application Reference Currency', 'n');
def(0x9f3c, 'Transaction Reference Currency Code', 'n');
def(0x9f3d, 'Transaction Reference Currency Exponent', 'n');
def(0x9f40, 'Additional Terminal Capabilities', 'b');
def(0x9f41, 'Transaction Sequence Counter', 'n');
def(0x9f42, 'Application Currency Code', 'n');
def(0x9f43, 'Application Reference Currency Exponent', 'n');
def(0x9f44, 'Application Currency Exponent', 'n');
def(0x9f45, 'Data Authentication Code', 'b');
def(0x9f46, 'ICC Public Key Certificate', 'b');
def(0x9f47, 'ICC Public Key Exponent', 'b');
def(0x9f48, 'ICC Public Key Remainder', 'b');
def(0x9f49, 'Dynamic Data Authentication Data Object List (DDOL)', 'dol');
def(0x9f4a, 'Static Data Authentication Tag List', 'tags');
def(0x9f4b, 'Signed Dynamic Application Data', 'b');
def(0x9f4c, 'ICC Dynamic Number', 'b');
def(0x9f4d, 'Log Entry', 'b');
def(0x9f4e, 'Merchant Name and Location', 'ans');
def(0x9f4f, 'Log Format', 'dol');
def(0x9f5b, 'Issuer Script Results', 'b');
def(0x9f6e, 'Form Factor Indicator / Third Party Data', 'b');
def(0x9f7c, 'Customer Exclusive Data', 'b');
def(0x9f7f, 'Card Production Life Cycle (CPLC) History File Identifiers', 'b');

// ---- PBOC / qPBOC / electronic cash (qpboc-facts §1.4, §1.10) ------------------------------------
def(0x9f51, 'Application Currency Code (PBOC)', 'n', {
  mastercard: { name: 'Data Recovery Data Object List (DRDOL)', format: 'dol' },
});
def(0x9f52, 'Application Default Action (ADA)', 'b');
def(0x9f53, 'Consecutive Transaction Limit (International)', 'b', {
  mastercard: { name: 'Transaction Category Code', format: 'an' },
});
def(0x9f54, 'Cumulative Total Transaction Amount Limit', 'n');
def(0x9f56, 'Issuer Authentication Indicator', 'b');
def(0x9f57, 'Issuer Country Code (PBOC)', 'n');
def(0x9f58, 'Lower Consecutive Offline Limit (PBOC)', 'b');
def(0x9f59, 'Upper Consecutive Offline Limit (PBOC)', 'b');
def(0x9f5c, 'Cumulative Total Transaction Amount Upper Limit', 'n');
def(0x9f5d, 'Available Offline Spending Amount', 'n', {
  visa: { name: 'Application Capabilities Information', format: 'b' },
});
def(0x9f63, 'Product Identification Information', 'b', {
  mastercard: { name: 'Track 1 Bit Map for UN and ATC (PUNATC(Track1))', format: 'b' },
});
def(0x9f66, 'Terminal Transaction Qualifiers (TTQ)', 'b', {
  mastercard: { name: 'Track 2 Bit Map for UN and ATC (PUNATC(Track2))', format: 'b' },
});
def(0x9f68, 'Card Additional Processes', 'b');
def(0x9f69, 'Card Authentication Related Data', 'b', {
  mastercard: { name: 'Unpredictable Number Data Object List (UDOL)', format: 'dol' },
});
def(0x9f6b, 'Card CVM Limit', 'n', { mastercard: { name: 'Track 2 Data', format: 'b' } });
def(0x9f6c, 'Card Transaction Qualifiers (CTQ)', 'b', {
  mastercard: { name: 'Mag-stripe Application Version Number (Card)', format: 'b' },
});
def(0x9f6d, 'Electronic Cash Reset Threshold', 'n', {
  mastercard: { name: 'Mag-stripe Application Version Number (Reader)', format: 'b' },
});
def(0x9f74, 'Electronic Cash Issuer Authorisation Code', 'an', {
  mastercard: { name: 'Protected Data Envelope 5', format: 'b' },
});
def(0x9f75, 'Cumulative Total Transaction Amount Limit - Dual Currency', 'n', {
  mastercard: { name: 'Unprotected Data Envelope 1', format: 'b' },
});
def(0x9f76, 'Secondary Application Currency Code', 'n', {
  mastercard: { name: 'Unprotected Data Envelope 2', format: 'b' },
});
def(0x9f77, 'Electronic Cash Balance Limit', 'n', { mastercard: { name: 'Unprotected Data Envelope 3', format: 'b' } });
def(0x9f78, 'Electronic Cash Single Transaction Limit', 'n', {
  mastercard: { name: 'Unprotected Data Envelope 4', format: 'b' },
});
def(0x9f79, 'Electronic Cash Balance', 'n', { mastercard: { name: 'Unprotected Data Envelope 5', format: 'b' } });
def(0x9f7a, 'Electronic Cash Terminal Support Indicator', 'b');
def(0x9f7b, 'Electronic Cash Terminal Transaction Limit', 'n');
def(0xdf4d, 'Electronic Cash Load Log Entry', 'b');
def(0xdf4f, 'Electronic Cash Load Log Format', 'dol');
def(0xdf69, 'SM Algorithm Support Indicator', 'b');
def(0xdf79, 'Electronic Cash Balance (Second Currency)', 'n');

// ---- Transit extended application, JR/T 0025.14 (qpboc-facts §4.2) -------------------------------
def(0xdf60, 'CAPP Transaction Indicator', 'b', {
  visa: { name: 'VISA Log Entry', format: 'b' },
  mastercard: { name: 'DS Input (Card)', format: 'b' },
});
def(0xdf61, 'Segmented Deduction Application Identifier', 'b', {
  mastercard: { name: 'DS Digest H', format: 'b' },
});
def(0xdf62, 'Segmented Deduction Offset Limit', 'n', {
  mastercard: { name: 'DS ODS Info', format: 'b' },
});
def(0xdf63, 'Segmented Deduction Amount Already Offset', 'n', {
  mastercard: { name: 'DS ODS Term', format: 'b' },
});

// ---- UnionPay terminal parameters (parameter download, qpboc-facts §1.6, §6) ----------------------
def(0xdf11, 'Terminal Action Code - Default', 'b');
def(0xdf12, 'Terminal Action Code - Online', 'b');
def(0xdf13, 'Terminal Action Code - Denial', 'b');
def(0xdf14, 'Default DDOL', 'dol');
def(0xdf15, 'Threshold Value for Biased Random Selection', 'b');
def(0xdf16, 'Maximum Target Percentage for Biased Random Selection', 'b');
def(0xdf17, 'Target Percentage for Random Selection', 'b');
def(0xdf18, 'Terminal Online PIN Capability', 'b');
def(0xdf19, 'Contactless Offline Floor Limit', 'n');
def(0xdf20, 'Contactless Transaction Limit', 'n');
def(0xdf21, 'Contactless CVM Required Limit', 'n');

/** Looks up a tag in a context; undefined when the dictionary doesn't know it. */
export function tagInfo(tag: number, context: TagContext = 'qpboc'): TagInfo | undefined {
  const t = TAGS.get(tag);
  if (!t) return undefined;
  const o = context === 'qpboc' ? undefined : t.other?.[context];
  return o ? { tag, name: o.name, format: o.format } : t;
}

/** The tag's name in a context, or undefined. */
export function tagName(tag: number, context: TagContext = 'qpboc'): string | undefined {
  return tagInfo(tag, context)?.name;
}

/** The tag's format in a context; unknown tags are binary ('b'), as EMV Book 3 §5.4 treats them. */
export function tagFormat(tag: number, context: TagContext = 'qpboc'): TagFormat {
  return tagInfo(tag, context)?.format ?? 'b';
}

/**
 * The qPBOC-context format of a tag as a TagFormatCode number (unknown → b). Allocation-free, for
 * per-APDU code such as DOL building.
 */
export function tagFormatCode(tag: number): number {
  const c = FORMAT_CODES.get(tag);
  return c === undefined ? TagFormatCode.b : c;
}

/** Every tag the dictionary knows (for tools and tests). */
export function knownTags(): number[] {
  return Array.from(TAGS.keys());
}
