// The Catch2 main of every test program, compiled once (the rubric_catch_main object library of
// tests/CMakeLists.txt) and linked into each of them.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
