/**
 * What an aborted operation rejects with: the signal's reason, so a reason
 * such as "interrupted (SIGINT)" reaches the user, or a plain AbortError when
 * the reason is not an Error.
 */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted', 'AbortError');
}
