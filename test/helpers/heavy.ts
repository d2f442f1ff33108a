// Kernel-heavy tests (hundreds of containers or daemon starts) run in CI and in the default
// `bash scripts/test.sh`; `--quick` (TETHER_TEST_QUICK=1) skips them for a faster local loop.
export const heavy = { skip: process.env.TETHER_TEST_QUICK === '1' ? 'kernel-heavy: skipped by --quick' : false };
