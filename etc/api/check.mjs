// Compares the public API of every entry point (., ./testing, ./openapi, ./throttling) with the
// reports committed next to this file, so every change to the public surface shows up in review.
// `npm run api` fails on a difference; `npm run api:update` rewrites the reports after a deliberate change.
// A type a subpath entry uses must be exported by one of the entry points (ae-forgotten-export).
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const update = process.argv.includes('--update');
const MAIN = 'index.api-extractor.json';

/** Names the main entry point exports, from its report. */
function exportedBy(reportPath) {
  const names = new Set();
  for (const match of readFileSync(reportPath, 'utf8').matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum) (\w+)/gm)) {
    names.add(match[1]);
  }
  return names;
}

let failed = false;
let mainExports = new Set();
const files = readdirSync(here).filter((name) => name.endsWith('.api-extractor.json'));
for (const file of [MAIN, ...files.filter((name) => name !== MAIN).sort()]) {
  const config = ExtractorConfig.loadFileAndPrepare(join(here, file));
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Types of the main entry point used by a subpath entry (nest-warden/testing uses Principal) are exported.
      const symbol = /The symbol "(\w+)"/.exec(message.text)?.[1];
      if (message.messageId === 'ae-forgotten-export' && symbol && mainExports.has(symbol)) message.logLevel = 'none';
    },
  });
  if (result.errorCount > 0 || (!update && (result.apiReportChanged || !result.succeeded))) {
    failed = true;
    console.error(
      `${file}: ${result.apiReportChanged ? `the public API differs from ${config.reportFilePath}; review it and run \`npm run api:update\`` : 'API Extractor reported problems'} ` +
        `(${result.errorCount} errors).`,
    );
  } else {
    console.log(`${file}: public API as reported${update && result.apiReportChanged ? ' (report updated)' : ''}.`);
  }
  if (file === MAIN) mainExports = exportedBy(config.reportFilePath);
}
process.exit(failed ? 1 : 0);
