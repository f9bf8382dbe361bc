import { startSpotifyServer, type SpotifyServer } from '../../src/sandbox/spotify-server.js';

/**
 * The local Spotify answers like the real Web API does for a Development Mode app since 2026-03-09 (the February 2026
 * migration guide and the Web API changelogs of February and March 2026, cited in src/sandbox/spotify-server.ts).
 * Plain HTTP, no client library: what is checked is the wire.
 */
describe('the local Spotify as a Development Mode app sees the Web API', () => {
  const servers: SpotifyServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const start = async (strict: boolean): Promise<SpotifyServer> => {
    const server = await startSpotifyServer({ strict });
    servers.push(server);
    server.addTrack({
      id: '7ouMYWpwJ422jRcDASZB7P',
      name: 'Signal',
      artists: [{ id: 'a1', name: 'Relay' }],
      album: 'Wires',
      releaseDate: '2021-03-04',
      durationMs: 201_000,
      isrc: 'USX9P2100001',
    });
    server.addTrack({
      id: '3n3Ppam7vgaVa1iaRUc9Lp',
      name: 'Signal Fire',
      artists: [{ id: 'a2', name: 'Relay' }],
      album: 'Wires',
      releaseDate: '2021-03-04',
      durationMs: 199_000,
    });
    for (let i = 0; i < 12; i += 1) {
      server.addTrack({
        id: `signalvariant${String(i).padStart(9, '0')}`,
        name: `Signal ${i}`,
        artists: [{ id: 'a3', name: 'Relay' }],
        album: 'Many',
        releaseDate: '2022',
        durationMs: 180_000,
      });
    }
    return server;
  };
  const token = async (server: SpotifyServer, grant: 'client_credentials' | 'refresh_token') => {
    const response = await fetch(`${server.accountsBaseUrl}/api/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(
        grant === 'refresh_token' ? { grant_type: grant, refresh_token: server.refreshToken } : { grant_type: grant },
      ),
    });
    return {
      status: response.status,
      body: (await response.json()) as { access_token?: string; error?: string; error_description?: string },
    };
  };
  const userToken = async (server: SpotifyServer) => (await token(server, 'refresh_token')).body.access_token!;
  const appToken = async (server: SpotifyServer) => (await token(server, 'client_credentials')).body.access_token!;
  const get = async (server: SpotifyServer, path: string, bearer: string) => {
    const response = await fetch(`${server.apiBaseUrl}/v1${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { error?: { status: number; message: string } },
    };
  };

  it('answers 403 to GET /playlists/{id}/tracks and serves GET /playlists/{id}/items, whose entries carry `item`', async () => {
    const server = await start(true);
    server.addPlaylist('37i9dQZF1DX0XUsuxWHRQd', 'Mine', ['7ouMYWpwJ422jRcDASZB7P', '3n3Ppam7vgaVa1iaRUc9Lp']);
    const user = await userToken(server);
    expect(await get(server, '/playlists/37i9dQZF1DX0XUsuxWHRQd/tracks', user)).toEqual({
      status: 403,
      body: { error: { status: 403, message: 'Forbidden' } },
    });
    const items = await get(server, '/playlists/37i9dQZF1DX0XUsuxWHRQd/items', user);
    expect(items.status).toBe(200);
    const entries = items.body.items as Array<Record<string, unknown>>;
    expect(entries.map((e) => (e.item as { name: string }).name)).toEqual(['Signal', 'Signal Fire']);
    // Strict: the deprecated `track` alias is gone; lenient (below): still sent, as during the deprecation window.
    expect(entries.every((e) => !('track' in e))).toBe(true);
  });

  it('serves playlist items only to the user token, and only for playlists the user owns or collaborates on', async () => {
    const server = await start(true);
    server.addPlaylist('0ownedPlaylist00000000', 'Mine', ['7ouMYWpwJ422jRcDASZB7P']);
    server.addPlaylist('1theirsPlaylist0000000', 'Theirs', ['7ouMYWpwJ422jRcDASZB7P'], { owner: 'dj-friend' });
    server.addPlaylist('2sharedPlaylist0000000', 'Shared', ['3n3Ppam7vgaVa1iaRUc9Lp'], {
      owner: 'dj-friend',
      collaborators: [server.userId],
    });
    const user = await userToken(server);
    expect((await get(server, '/playlists/0ownedPlaylist00000000/items', await appToken(server))).status).toBe(403);
    expect((await get(server, '/playlists/1theirsPlaylist0000000/items', user)).status).toBe(403);
    expect((await get(server, '/playlists/2sharedPlaylist0000000/items', user)).status).toBe(200);
    // The playlist's metadata stays readable (so a refusal can name the owner), without its items.
    const theirs = await get(server, '/playlists/1theirsPlaylist0000000', user);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ name: 'Theirs', owner: { id: 'dj-friend' } });
    expect(theirs.body.items).toBeUndefined();
    expect((await get(server, '/playlists/0ownedPlaylist00000000?fields=name', user)).body).toEqual({ name: 'Mine' });
  });

  it('has no multi-id GET /tracks?ids= any more (403), only one track at a time', async () => {
    const server = await start(true);
    const app = await appToken(server);
    expect(await get(server, '/tracks?ids=7ouMYWpwJ422jRcDASZB7P,3n3Ppam7vgaVa1iaRUc9Lp', app)).toEqual({
      status: 403,
      body: { error: { status: 403, message: 'Forbidden' } },
    });
    expect((await get(server, '/tracks/7ouMYWpwJ422jRcDASZB7P', app)).status).toBe(200);
  });

  it('refuses a search limit above 10 with 400 "Invalid limit" and returns 5 results by default', async () => {
    const server = await start(true);
    const app = await appToken(server);
    expect(await get(server, '/search?type=track&q=signal&limit=11', app)).toEqual({
      status: 400,
      body: { error: { status: 400, message: 'Invalid limit' } },
    });
    expect(
      ((await get(server, '/search?type=track&q=signal&limit=10', app)).body.tracks as { items: unknown[] }).items,
    ).toHaveLength(10);
    const byDefault = (await get(server, '/search?type=track&q=signal', app)).body.tracks as {
      items: unknown[];
      limit: number;
      total: number;
    };
    expect(byDefault).toMatchObject({ limit: 5, total: 14 });
    expect(byDefault.items).toHaveLength(5);
  });

  it('leaves out the fields the February 2026 changelog removed, and keeps external_ids (restored in March)', async () => {
    const server = await start(true);
    const track = (await get(server, '/tracks/7ouMYWpwJ422jRcDASZB7P', await appToken(server))).body as Record<
      string,
      unknown
    > & { album: Record<string, unknown> };
    for (const removed of ['popularity', 'available_markets', 'linked_from']) expect(track).not.toHaveProperty(removed);
    for (const removed of ['popularity', 'available_markets', 'label', 'album_group'])
      expect(track.album).not.toHaveProperty(removed);
    expect(track.external_ids).toEqual({ isrc: 'USX9P2100001' });
  });

  it('refuses every request while the app owner has no Premium, and the user token of a user not on the allow-list', async () => {
    const server = await start(false);
    const user = await userToken(server);
    const app = await appToken(server);
    server.setOwnerPremium(false);
    const refused = await get(server, '/tracks/7ouMYWpwJ422jRcDASZB7P', app);
    expect(refused.status).toBe(403);
    expect(refused.body.error!.message).toMatch(/^Active premium subscription required for the owner of the app/);
    expect((await token(server, 'refresh_token')).status).toBe(200); // lenient: the accounts service still grants tokens
    server.setOwnerPremium(true);
    server.setUserAllowed(false);
    expect(await get(server, '/tracks/7ouMYWpwJ422jRcDASZB7P', user)).toEqual({
      status: 403,
      body: { error: { status: 403, message: 'User not registered in the Developer Dashboard' } },
    });
    expect((await get(server, '/tracks/7ouMYWpwJ422jRcDASZB7P', app)).status).toBe(200); // client credentials name no user
  });

  it('in strict mode the accounts service refuses tokens too while the owner has no Premium; lenient keeps the `track` alias', async () => {
    const strict = await start(true);
    strict.setOwnerPremium(false);
    const refused = await token(strict, 'client_credentials');
    expect(refused.status).toBe(400);
    expect(refused.body.error_description).toMatch(/Active premium subscription required/);

    const lenient = await start(false);
    lenient.addPlaylist('37i9dQZF1DX0XUsuxWHRQd', 'Mine', ['7ouMYWpwJ422jRcDASZB7P']);
    const entries = (await get(lenient, '/playlists/37i9dQZF1DX0XUsuxWHRQd/items', await userToken(lenient))).body
      .items as Array<{ item: { id: string }; track: { id: string } }>;
    expect(entries[0]!.item.id).toBe('7ouMYWpwJ422jRcDASZB7P');
    expect(entries[0]!.track.id).toBe('7ouMYWpwJ422jRcDASZB7P');
  });
});
