// Issue 13, "Tools that pass what they should fail", through the library: a case file's keys,
// recommendation ids and fact names are checked (tools/case_file.hpp), an `error:` expectation
// matches the subject of an error (Diagnostic::subject), read_whole_file gives the reason
// (tools/read_file.hpp), and generated C++ names avoid keywords, macros and reserved names
// (authoring/emit_cpp.hpp). Expected texts are written from the contracts in those headers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "authoring/emit_cpp.hpp"
#include "engine/guideline.hpp"
#include "support.hpp"
#include "tools/case_file.hpp"
#include "tools/read_file.hpp"

namespace rubric {
namespace {

using Catch::Matchers::Contains;
using rubric::testing::TempFolder;

constexpr const char* kGuideline = R"(guideline "g" version "1"
source 1 "s"
fact pain_vas: decimal between 0 and 10
fact calm: boolean
recommendation calcium kind prescribe text "t" cite 1 when pain_vas > 3
recommendation rest kind therapy text "t" cite 1 when calm
)";

struct Compiled {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

Compiled& compiled() {
  static Compiled instance = [] {
    Compiled out;
    Diagnostics diagnostics;
    out.guideline =
        Guideline::compile(out.sources, out.sources.add("g.rubric", kGuideline), diagnostics);
    return out;
  }();
  REQUIRE(instance.guideline != nullptr);
  return instance;
}

CaseOutcome run_text(const TempFolder& folder, const std::string& text) {
  return run_case_file(*compiled().guideline, compiled().sources, folder.write("case.yaml", text));
}

TEST_CASE("case files: a misspelt key of expect fails, with a suggestion", "[cases][tools]") {
  TempFolder folder;
  const CaseOutcome outcome =
      run_text(folder, "facts: {pain_vas: 5, calm: false}\nexpect: {recommendation: [calcium]}\n");
  CHECK_FALSE(outcome.passed);
  CHECK_THAT(outcome.explanation,
             Contains("case.yaml:2:10: error[E0410]: unknown key `recommendation` in `expect`; "
                      "did you mean `recommendations`?"));
}

TEST_CASE("case files: unknown ids and facts fail, with a suggestion", "[cases][tools]") {
  TempFolder folder;
  const CaseOutcome id = run_text(folder, "facts: {}\nexpect: {recommendations: [calcum]}\n");
  CHECK_FALSE(id.passed);
  CHECK_THAT(id.explanation,
             Contains("error[E0411]: unknown recommendation `calcum`; did you mean `calcium`?"));
  const CaseOutcome fact =
      run_text(folder,
               "facts: {}\nexpect:\n  recommendations: []\n  undetermined: {calcium: [pain_vs], "
               "rest: [calm]}\n");
  CHECK_FALSE(fact.passed);
  CHECK_THAT(fact.explanation,
             Contains("error[E0404]: unknown fact `pain_vs`; did you mean `pain_vas`?"));
}

TEST_CASE("case files: an error expectation matches the error's subject", "[cases][tools]") {
  TempFolder folder;
  // The error is about `pain_vs`; its message merely suggests `pain_vas`.
  CHECK_FALSE(run_text(folder, "facts: {pain_vs: 3}\nexpect: {error: pain_vas}\n").passed);
  CHECK(run_text(folder, "facts: {pain_vs: 3}\nexpect: {error: pain_vs}\n").passed);
  CHECK(run_text(folder, "facts: {pain_vas: 11}\nexpect: {error: pain_vas}\n").passed);
  CHECK_FALSE(run_text(folder, "facts: {pain_vas: 11}\nexpect: {error: calm}\n").passed);
  // A correct result expectation still passes.
  const CaseOutcome right = run_text(folder,
                                     "facts: {pain_vas: 5}\nexpect:\n  recommendations: [calcium]\n"
                                     "  undetermined: {rest: [calm]}\n");
  INFO(right.explanation);
  CHECK(right.passed);
}

TEST_CASE("read_whole_file gives the system's reason", "[tools]") {
  TempFolder folder;
  std::string error;
  CHECK_FALSE(read_whole_file(folder.path() + "/absent", 100, error));
  CHECK(error == "cannot read `" + folder.path() + "/absent`: No such file or directory");
  CHECK_FALSE(read_whole_file(folder.path(), 100, error));
  CHECK(error == "cannot read `" + folder.path() + "`: Is a directory");
  const std::string path = folder.write("five.txt", "12345");
  CHECK(read_whole_file(path, 5, error) == std::optional<std::string>("12345"));
  CHECK_FALSE(read_whole_file(path, 4, error));
  CHECK(error == "`" + path + "` is larger than the limit of 4 bytes");
}

TEST_CASE("generated C++ names: keywords, macros and reserved names are not used as they are",
          "[emit][tools]") {
  CHECK(cpp_name_problem("pain_vas").empty());
  CHECK(cpp_name_problem("HbA1c").empty());
  CHECK(cpp_name_problem("int") == "is a C++ keyword");
  CHECK_THAT(cpp_name_problem("_Foo"), Contains("reserved"));
  CHECK_THAT(cpp_name_problem("a__b"), Contains("reserved"));
  CHECK(cpp_name_problem("stdin") == "is a standard macro");
  CHECK(cpp_name_problem("errno") == "is a standard macro");
  CHECK(cpp_name_problem("PRId64") == "is a standard macro");
  CHECK_THAT(cpp_name_problem("NULL"), Contains("written like a macro"));
  CHECK_THAT(cpp_name_problem("EXIT_SUCCESS"), Contains("written like a macro"));
  CHECK(cpp_namespace_problem("a::b_2").empty());
  CHECK_THAT(cpp_namespace_problem("int"), Contains("`int` is a C++ keyword"));
  CHECK_THAT(cpp_namespace_problem("a::__b"), Contains("reserved"));
  CHECK_THAT(cpp_namespace_problem("std::x"), Contains("standard library"));
  CHECK_THAT(cpp_namespace_problem("a b"), Contains("is not a C++ namespace"));
}

TEST_CASE("generated C++ names: the members of renamed facts", "[emit][tools]") {
  std::vector<FactSpec> facts(8);
  const char* names[] = {"int", "int_", "_Foo", "a__b", "_", "_2x", "present", "pain_vas"};
  for (std::size_t i = 0; i < facts.size(); ++i) {
    facts[i].name = names[i];
  }
  const std::vector<std::string> expected = {"int_2_", "int_",     "Foo_",     "a_b_",
                                             "fact_",  "fact_2x_", "present_", "pain_vas"};
  CHECK(fact_member_names(facts) == expected);
}

}  // namespace
}  // namespace rubric
