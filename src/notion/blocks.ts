import type { BlockRequest } from './gateway.js';
import { toRichText } from './codecs.js';

/** Block builders for reports written to page bodies. Text is split at Notion's 2000-character limit. */

type Span = string | { text: string; url?: string; bold?: boolean; code?: boolean };

function richText(spans: readonly Span[]): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (const span of spans) {
    const s = typeof span === 'string' ? { text: span } : span;
    for (const item of toRichText(s.text)) {
      items.push({
        type: 'text',
        text: { content: item.text.content, ...(s.url && /^https?:\/\//.test(s.url) ? { link: { url: s.url } } : {}) },
        ...(s.bold || s.code ? { annotations: { bold: s.bold === true, code: s.code === true } } : {}),
      });
    }
  }
  return items.slice(0, 100);
}

export const heading = (text: string, level: 2 | 3 = 2): BlockRequest =>
  (level === 2
    ? { object: 'block', type: 'heading_2', heading_2: { rich_text: richText([text]) } }
    : { object: 'block', type: 'heading_3', heading_3: { rich_text: richText([text]) } }) as BlockRequest;

export const paragraph = (...spans: Span[]): BlockRequest =>
  ({ object: 'block', type: 'paragraph', paragraph: { rich_text: richText(spans) } }) as BlockRequest;

export const bullet = (...spans: Span[]): BlockRequest =>
  ({ object: 'block', type: 'bulleted_list_item', bulleted_list_item: { rich_text: richText(spans) } }) as BlockRequest;

export const link = (text: string, url: string): Span => ({ text, url });
export const bold = (text: string): Span => ({ text, bold: true });
export const code = (text: string): Span => ({ text, code: true });

/** The plain text of blocks built here (for tests and the RETURN handoff file). */
export function blockText(block: BlockRequest): string {
  const b = block as unknown as Record<string, { rich_text?: Array<{ text?: { content?: string } }> }>;
  const type = (block as { type?: string }).type ?? '';
  return (b[type]?.rich_text ?? []).map((i) => i.text?.content ?? '').join('');
}
