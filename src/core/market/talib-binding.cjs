// TA-Lib's native addon. Its package's entry is a .node file, which an ES module cannot import, so
// this one-line CommonJS seam loads it; talib.ts types and wraps it. Pure computation, no I/O.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one place a CommonJS require is the point (see above)
module.exports = require('talib');
