// Jest starts the suites it remembers as slowest first (durations from its cache). On a fresh clone
// (CI) it knows none, orders by file size, and would start consumer-apps.e2e-spec.ts (npm pack and
// three npm installs: the longest suite by far) last, to run alone at the end. Start it first, so
// that it overlaps with the others; everything else keeps Jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const CONSUMERS = /[\\/]test[\\/]consumer-apps\.e2e-spec\.ts$/;

module.exports = class ConsumersFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((test) => CONSUMERS.test(test.path)), ...sorted.filter((test) => !CONSUMERS.test(test.path))];
  }
};
