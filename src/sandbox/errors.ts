/**
 * An error the local Notion answers with: the body shape and codes of the real API (developers.notion.com/reference/
 * status-codes; the codes the client knows: src/errors.ts, APIErrorCode).
 */
export class NotionApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly additionalData: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, additionalData?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.additionalData = additionalData;
  }
}

export const validation = (message: string): NotionApiError => new NotionApiError(400, 'validation_error', message);
export const notFound = (kind: string, id: string): NotionApiError =>
  new NotionApiError(
    404,
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );

/**
 * A Free workspace with more than one member past its 1,000-block limit and the three-day grace period: "requests that
 * create blocks fail" (developers.notion.com/reference/workspace-block-limits). The page does not show the error body
 * in the copy we could read, so the status, code and wording here are an assumption; tracksync recognises the
 * condition by the words "block limit" in the message of any 4xx on a request that creates blocks (gateway.ts).
 */
export const blockLimitReached = (): NotionApiError =>
  new NotionApiError(
    403,
    'restricted_resource',
    "This workspace has reached its block limit. Upgrade the workspace's plan to add more content.",
  );
