import { claimNote, isRoutedToUs, parseClaimNote } from '../../../src/app/sources/tasks.js';
import type { Config } from '../../../src/config/load.js';

const routing: Config['routing'] = {
  taskTypes: ['Music Sync'],
  titleKeywords: ['music track sync', 'music sync', 'sync playlist', 'playlist sync'],
  agentPageId: '11111111-2222-3333-4444-555555555555',
  readyStatus: 'Ready',
  inProgressStatus: 'In Progress',
  completedStatus: 'Completed',
  failedStatus: 'Failed',
  blockedStatus: 'Blocked',
} as Config['routing'];

// Which Agent-Tasks are ours (docs/notion-contract.md): taking another agent's task, or our own report, is a bug.
describe('Agent-Tasks routing and claims', () => {
  it('takes Ready music tasks by type, title keyword or assignment', () => {
    expect(isRoutedToUs({ status: 'Ready', taskType: 'Music Sync', title: 'anything' }, routing)).toBe(true);
    expect(isRoutedToUs({ status: 'Ready', title: 'Please do a MUSIC SYNC of these' }, routing)).toBe(true);
    expect(
      isRoutedToUs({ status: 'Ready', title: 'x', assignedAgent: ['11111111222233334444555555555555'] }, routing),
    ).toBe(true);
  });

  it('never takes drafts, archived tasks, our own CRITICAL calls, reviews, or "sync" alone', () => {
    expect(isRoutedToUs({ status: 'Draft', taskType: 'Music Sync' }, routing)).toBe(false);
    expect(isRoutedToUs({ status: 'Ready', taskType: 'Music Sync', archive: true }, routing)).toBe(false);
    expect(isRoutedToUs({ status: 'Ready', title: 'CRITICAL: Music Sync Failure - yt-dlp' }, routing)).toBe(false);
    expect(isRoutedToUs({ status: 'Ready', title: 'Review: Music Track Sync of Friday' }, routing)).toBe(false);
    expect(isRoutedToUs({ status: 'Ready', title: 'Sync the calendar' }, routing)).toBe(false);
  });

  it('reads back the claim note it writes, and nothing else', () => {
    const at = Date.parse('2026-11-24T15:04:05.000Z');
    const note = claimNote('dj-mac', 'd1a2', 'n-3', at);
    expect(parseClaimNote(`Earlier text. ${note}`)).toEqual({ daemonId: 'd1a2', nonce: 'n-3', at });
    expect(parseClaimNote('tracksync is working on this (host x, claim a/b, since not a date)')).toBeUndefined();
    expect(parseClaimNote('nothing here')).toBeUndefined();
  });
});
