// npm run api:check: api-extractor compares the public surface (dist/types, from npm run build)
// of `dockwire` and `dockwire/api` with the committed reports etc/dockwire.api.md and
// etc/dockwire-api.api.md, and fails when they differ. `--update` (npm run api:update) writes
// the reports instead, to be committed with the change that made them.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
let failed = false;
for (const config of ['etc/api-extractor.json', 'etc/api-extractor.api.json']) {
  const result = Extractor.invoke(ExtractorConfig.loadFileAndPrepare(config), {
    localBuild: update,
    showVerboseMessages: false,
  });
  if (!result.succeeded) {
    failed = true;
    if (result.apiReportChanged)
      console.error(
        `${config}: the public API differs from ${result.extractorConfig.reportFilePath}; if the change is meant, run npm run api:update and commit the report`,
      );
  }
}
process.exitCode = failed ? 1 : 0;
