// Builds Kopa's browser assets into frontend/static/frontend/build/ (git-ignored):
// one script (htmx + Kopa's modules) and one stylesheet. `--watch` rebuilds on change.
import * as esbuild from "esbuild";

const options = {
  entryPoints: {
    kopa: "frontend/assets/js/main.js",
    "kopa-styles": "frontend/assets/css/main.css",
  },
  outdir: "frontend/static/frontend/build",
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ["es2019"],
  format: "iife",
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
