// jest globalSetup: the run gets a temporary directory of its own (helpers/temp-guard.js).
module.exports = async () => require("./helpers/temp-guard").setup();
