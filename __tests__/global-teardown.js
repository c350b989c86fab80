// jest globalTeardown: the run fails when it left anything in its temporary directory (helpers/temp-guard.js).
module.exports = async () => require("./helpers/temp-guard").teardown();
