import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ApiCounter } from '../../src/docker/api.js';
import { containerMatcher } from '../../src/docker/glob.js';
import { ImageRefs, isImageId, MAX_REFS_PER_IMAGE, refsOf } from '../../src/docker/image-refs.js';
import { ContainerView, recordMatches } from '../../src/docker/view.js';
import { silentLogger } from '../support/scrape.js';

const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;

describe('image references of containers listed by image ID', () => {
  test("an ID, full or short, with or without sha256:, of the container's own image; a reference is not", () => {
    expect(
      [OLD, 'a'.repeat(64), 'aaaaaaaaaaaa', `sha256:${'a'.repeat(12)}`].map((image) => isImageId(image, OLD)),
    ).toEqual([true, true, true, true]);
    expect(
      ['aaaaaaaaaaa', 'bbbbbbbbbbbb', 'onlyoffice/documentserver', 'onlyoffice/documentserver:8.3', ''].map((image) =>
        isImageId(image, OLD),
      ),
    ).toEqual([false, false, false, false, false]);
  });

  test("an image's names are its tags and the repository@digest it was pulled as; <none> is no name; at most 32", () => {
    expect(refsOf({ RepoTags: ['<none>:<none>'], RepoDigests: ['onlyoffice/documentserver@sha256:0123'] })).toEqual([
      'onlyoffice/documentserver@sha256:0123',
    ]);
    expect(refsOf({ RepoTags: ['local/ds:1', 'onlyoffice/documentserver:8.3'], RepoDigests: [] })).toEqual([
      'local/ds:1',
      'onlyoffice/documentserver:8.3',
    ]);
    expect(refsOf({ RepoTags: null as unknown as string[], RepoDigests: ['<none>@<none>'] })).toEqual([]);
    expect(refsOf({ RepoTags: Array.from({ length: 40 }, (_, i) => `t/x:${i}`), RepoDigests: [] })).toHaveLength(
      MAX_REFS_PER_IMAGE,
    );
  });

  test('the images are listed only when an ID is new; only the IDs asked for last are kept; a refused list is asked again', async () => {
    const refs = new ImageRefs();
    let calls = 0;
    let answer: () => { Id: string; RepoTags: string[]; RepoDigests: string[] }[] = () => [
      { Id: OLD, RepoTags: [], RepoDigests: ['onlyoffice/documentserver@sha256:0123'] },
      { Id: NEW, RepoTags: ['onlyoffice/documentserver:latest'], RepoDigests: [] },
    ];
    const list = async () => {
      calls++;
      return answer() as never;
    };
    const never = () => false;
    await refs.learn(new Set([OLD]), list, never);
    await refs.learn(new Set([OLD]), list, never);
    expect([calls, refs.get(OLD), refs.get(NEW)]).toEqual([1, ['onlyoffice/documentserver@sha256:0123'], []]);
    // A new ID lists again; the one no longer asked for is dropped.
    await refs.learn(new Set([NEW]), list, never);
    expect([calls, refs.get(OLD), refs.get(NEW)]).toEqual([2, [], ['onlyoffice/documentserver:latest']]);
    // An ID no image has (removed by force) is not asked for again.
    await refs.learn(new Set([NEW, 'sha256:gone']), list, never);
    await refs.learn(new Set([NEW, 'sha256:gone']), list, never);
    expect([calls, refs.get('sha256:gone')]).toEqual([3, []]);
    // A socket proxy that refuses the images API: nothing learnt, asked again next time; other errors are thrown.
    answer = () => {
      throw Object.assign(new Error('forbidden'), { statusCode: 403 });
    };
    await refs.learn(new Set([OLD]), list, (error) => (error as { statusCode?: number }).statusCode === 403);
    await refs.learn(new Set([OLD]), list, (error) => (error as { statusCode?: number }).statusCode === 403);
    expect([calls, refs.get(OLD)]).toEqual([5, []]);
    await expect(refs.learn(new Set([OLD]), list, never)).rejects.toThrow('forbidden');
  });

  test('a container created from an image ID whose image is pulled onlyoffice/documentserver is watched, and runs supervisor', async () => {
    const id = 'c'.repeat(64);
    const fake = {
      getEvents: async () => new PassThrough(),
      listContainers: async () => [
        { Id: id, Names: ['/quirky_ds'], Image: 'aaaaaaaaaaaa', ImageID: OLD, State: 'running', Status: 'Up 1 hour' },
      ],
      listImages: async () => [
        {
          Id: OLD,
          RepoTags: [],
          RepoDigests: ['registry.example.internal:5000/onlyoffice/documentserver@sha256:0123'],
        },
      ],
      getContainer: () => ({
        inspect: async () => ({
          Id: id,
          Name: '/quirky_ds',
          Image: OLD,
          RestartCount: 0,
          Config: { Image: 'aaaaaaaaaaaa', Labels: {} },
          State: {
            Status: 'running',
            OOMKilled: false,
            ExitCode: 0,
            StartedAt: '2026-11-25T00:00:00Z',
            FinishedAt: '0001-01-01T00:00:00Z',
          },
        }),
      }),
      ping: async () => 'OK',
    };
    const api = new ApiCounter();
    const view = new ContainerView({
      docker: fake as unknown as Docker,
      api,
      match: containerMatcher(['none-by-name'], ['onlyoffice/documentserver*']),
      endpoint: 'fake',
      resyncMs: 3_600_000,
      timeoutMs: 5_000,
      logger: silentLogger,
    });
    try {
      await view.ready(new AbortController().signal);
      const [record] = view.containers();
      expect([view.containers().length, record?.name, record?.image, record?.refs]).toEqual([
        1,
        'quirky_ds',
        'aaaaaaaaaaaa',
        ['registry.example.internal:5000/onlyoffice/documentserver@sha256:0123'],
      ]);
      expect(recordMatches(containerMatcher(['none-by-name'], ['onlyoffice/documentserver*']), record!)).toBe(true);
      expect(recordMatches(containerMatcher(['none-by-name'], []), record!)).toBe(false);
      // Matched by its image's name: no inspect beyond the resync's own, one list of the images.
      expect([api.get('list'), api.get('images'), api.get('inspect')]).toEqual([1, 1, 1]);
      await view.resyncNow();
      expect([view.containers().length, api.get('list'), api.get('images'), api.get('inspect')]).toEqual([1, 2, 1, 2]);
    } finally {
      await view.close();
    }
  });
});
