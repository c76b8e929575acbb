// The trust tests' one way of saying "this is refused": a VerificationError, never another error.
import { expect } from 'vitest';
import { VerificationError } from '../../../src/errors.js';

/** refused: the VerificationError `run` throws; the test fails if it throws anything else, or nothing. */
export function refused(run: () => unknown): VerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    return error as VerificationError;
  }
  throw new Error('not refused');
}

/** refusal: the VerificationError a promise rejects with; the test fails if it resolves or rejects otherwise. */
export async function refusal(promise: Promise<unknown>): Promise<VerificationError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(VerificationError);
  return outcome as VerificationError;
}
