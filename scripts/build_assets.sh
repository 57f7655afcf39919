#!/usr/bin/env bash
# Builds the front-end assets from the npm packages into src/moothall/static/vendor
# and src/moothall/static/moothall/moothall.css. Run by `make install`.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=src/moothall/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/govuk-frontend" "$vendor/htmx"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$vendor/govuk-frontend/"
# No GOV.UK images or fonts are copied: no crest, no crown, no GDS Transport.
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"
cp node_modules/govuk-frontend/LICENSE.txt "$vendor/govuk-frontend/" 2>/dev/null || true
npx --no-install sass --quiet --no-source-map --style=compressed --load-path=node_modules \
  --load-path=assets/scss assets/scss/moothall.scss src/moothall/static/moothall/moothall.css
