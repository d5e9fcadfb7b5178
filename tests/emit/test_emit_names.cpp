// Fact names that are C++ keywords, standard macros, reserved identifiers or names of the
// generated `Facts` itself (tests/emit/nasty_names.rubric): the header generated for them is
// included after every C and C++ standard header that defines a macro, in GNU mode
// (-std=gnu++20, where GCC and Clang predefine `linux` and `unix`; tests/emit/CMakeLists.txt),
// so that this file does not compile when a member collides with one; the evaluator must
// then agree with the library.
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cfenv>
#include <cfloat>
#include <cinttypes>
#include <climits>
#include <clocale>
#include <cmath>
#include <csetjmp>
#include <csignal>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <string>
#include <vector>

// Included after the headers above, so that their macros are defined when it is read.
#include "nasty_names_generated.hpp"
// Included after the generated header, so that the macros are also defined when the
// comparison code instantiates it.
#include "compare_generated.hpp"

namespace {

using namespace rubric;
using namespace rubric::emit_testing;

RUBRIC_EMIT_TRAITS(NastyNamesTraits, test::nasty_names_generated);

}  // namespace

TEST_CASE(
    "facts named like keywords, macros and reserved names get a header that compiles "
    "and agrees with the library") {
  // The macros this file must have seen for the test to mean anything.
#if !defined(NULL) || !defined(EOF) || !defined(stdin) || !defined(errno) || !defined(assert) || \
    !defined(INT_MAX) || !defined(SIZE_MAX) || !defined(EXIT_SUCCESS) || !defined(E2BIG) ||      \
    !defined(PRId64) || !defined(offsetof) || !defined(setjmp) || !defined(va_arg)
#error "a standard macro the test relies on is not defined"
#endif
#if defined(__GNUC__) && (!defined(linux) || !defined(unix))
#error "compile this file in GNU mode (-std=gnu++20), where `linux` and `unix` are macros"
#endif
  check_tally(compare_with_library<NastyNamesTraits>(RUBRIC_EMIT_NASTY_NAMES, 11, 20000), 15000);
}

TEST_CASE("members of renamed facts follow the documented rule") {
  // Written from the contract of fact_member_names (authoring/emit_cpp.hpp), not from output.
  test::nasty_names_generated::Facts facts;
  facts.NULL_ = true;
  facts.EOF_ = 4;
  facts.stdin_ = 1;
  facts.errno_ = true;
  facts.assert_ = true;
  facts.int_2_ = 5;  // `int_` is another fact's name, which keeps it
  facts.int_ = true;
  facts.class_ = true;
  facts.Foo_ = true;   // `_Foo`
  facts.a_b_ = true;   // `a__b`
  facts.fact_ = true;  // `_`
  facts.fact_2x_ = 1;  // `_2x`
  facts.INT_MAX_ = 60;
  facts.linux_ = true;
  facts.present_ = true;
  facts.Facts_ = true;
  facts.kFactWords_ = true;
  CHECK(facts.EOF_ == 4);
  CHECK(test::nasty_names_generated::kFactNames[0] == "NULL");
}
