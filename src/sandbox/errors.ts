/** An error the local Notion answers with: the body shape and codes of the real API (notion-api.md §5.3). */
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
  new NotionApiError(404, 'object_not_found', `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);
