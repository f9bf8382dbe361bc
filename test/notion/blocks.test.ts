import { blockText, bold, bullet, code, heading, link, paragraph } from '../../src/notion/blocks.js';

// Task reports are written as these blocks: Notion refuses a rich text item over 2000 characters or more than 100
// items (developers.notion.com/reference/request-limits), and a link from untrusted text must be http(s).
describe('report blocks', () => {
  it('splits long text at 2000 characters and keeps it whole', () => {
    const long = 'x'.repeat(4500);
    const block = paragraph(long) as unknown as { paragraph: { rich_text: Array<{ text: { content: string } }> } };
    expect(block.paragraph.rich_text.map((r) => r.text.content.length)).toEqual([2000, 2000, 500]);
    expect(blockText(block as never)).toBe(long);
  });

  it('links only http(s) URLs and marks bold and code spans', () => {
    const block = bullet(
      link('page', 'https://example.com/p'),
      link('bad', 'javascript:alert(1)'),
      bold('B'),
      code('c'),
    );
    const items = (block as unknown as { bulleted_list_item: { rich_text: Array<Record<string, unknown>> } })
      .bulleted_list_item.rich_text;
    expect(items[0]).toMatchObject({ text: { content: 'page', link: { url: 'https://example.com/p' } } });
    expect(items[1]).toEqual({ type: 'text', text: { content: 'bad' } });
    expect(items[2]).toMatchObject({ annotations: { bold: true, code: false } });
    expect(items[3]).toMatchObject({ annotations: { bold: false, code: true } });
    expect(blockText(block)).toBe('pagebadBc');
  });

  it('builds headings of level 2 and 3 and caps a block at 100 rich text items', () => {
    expect(heading('Tracks')).toMatchObject({ type: 'heading_2' });
    expect(blockText(heading('Notes', 3))).toBe('Notes');
    const many = paragraph(...Array.from({ length: 150 }, (_, i) => `${i}`)) as unknown as {
      paragraph: { rich_text: unknown[] };
    };
    expect(many.paragraph.rich_text).toHaveLength(100);
  });
});
