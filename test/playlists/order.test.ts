import { orderTracks } from '../../src/playlists/order.js';

// The exported playlist must keep the order the DJ arranged, or the order of the chosen sort property (Set Order).
describe('orderTracks', () => {
  it("keeps the relation's order, each track once", () => {
    expect(orderTracks(['c', 'a', 'b', 'a'])).toEqual(['c', 'a', 'b']);
  });

  it('sorts by the property: numbers as numbers, text naturally, blanks last, ties in relation order', () => {
    const values: Record<string, string | number | null> = {
      t1: '10',
      t2: 2,
      t3: null,
      t4: 'Track 10',
      t5: 'track 9',
      t6: 2,
      t7: '  ',
    };
    expect(orderTracks(['t1', 't2', 't3', 't4', 't5', 't6', 't7'], (id) => values[id])).toEqual([
      't2',
      't6',
      't1',
      't5',
      't4',
      't3',
      't7',
    ]);
  });
});
