import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';

/** Ends the run with one plain line: `e2e: N passed, N failed, N skipped`. */
export default class SummaryReporter implements Reporter {
  private root: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const test of this.root?.allTests() ?? []) {
      const outcome = test.outcome();
      if (outcome === 'skipped') skipped += 1;
      else if (outcome === 'unexpected') failed += 1;
      else passed += 1;
    }
    // A run that broke before any test (e.g. global setup) is a failure.
    if (result.status !== 'passed' && failed === 0) failed = 1;
    console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
