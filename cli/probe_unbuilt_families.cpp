// Probe families whose suites have not landed yet would register here, each
// saying so and exiting 2. Every family registered through probe_families.hpp
// now lives in its own cli/probe_<family>.cpp (rls, schema, migrations), so
// this file is empty until a new family is declared before it is built.
#include "cli/probe_families.hpp"
