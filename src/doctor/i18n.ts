export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export type Params = Readonly<Record<string, string | number>>;
/** Picks the zh-CN or English text; every user-facing sentence is written in both, side by side. */
export type Pick = (zh: string, en: string) => string;
export type Render = (p: Params, t: Pick) => string;

/** An English count and its noun, singular for exactly 1: "1 consumer", "3 consumers", "1.5 days" (a missing count shows as such). */
export function counted(n: string | number | undefined, one: string, many = `${one}s`): string {
  return `${n} ${Number(n) === 1 ? one : many}`;
}

export function picker(lang: Lang): Pick {
  return (zh, en) => (lang === 'zh-CN' ? zh : en);
}

/** zh-CN for anything that asks for Chinese, English otherwise (an Accept-Language header, a ?lang= value). */
export function langFrom(value: string | undefined, fallback: Lang = 'zh-CN'): Lang {
  if (value === undefined || value.trim() === '') return fallback;
  const first = value.split(',')[0]!.trim().toLowerCase();
  if (first.startsWith('zh')) return 'zh-CN';
  if (first.startsWith('en')) return 'en';
  return fallback;
}
