/** A start-up failure: logged as one ERROR line named by its step, then exit 1. */
export class Fatal extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
