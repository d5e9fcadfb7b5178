// The Catch2 main of the embedding API tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
