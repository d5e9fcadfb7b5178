/* Embedding Rubric in a C program through <rubric/rubric.h>: compile a guideline, fill one
 * patient's facts, evaluate, print what is recommended and what is undetermined; then read
 * the facts from a FHIR record instead.
 * Usage: embed_example_c GUIDELINE.rubric (the seed guideline). */
#include <rubric/rubric.h>
#include <stdio.h>
#include <string.h>

/* Prints the last error of this thread and returns 1. */
static int report(const char* what) {
  fprintf(stderr, "error: %s: [%s] %s\n", what, rubric_last_error_code(),
          rubric_last_error_message());
  return 1;
}

int main(int argc, char** argv) {
  /* One patient, as a fact file would write it; `age` is left out (unknown). */
  static const char* const facts_text[][2] = {
      {"fracture_grade", "1"},
      {"neurologic_deficit", "false"},
      {"progressive_neurologic_deterioration", "false"},
      {"spinal_instability", "false"},
      {"cord_compression", "false"},
      {"analgesic_contraindication", "false"},
      {"time_since_identification", "5 weeks"},
      {"pain_vas", "6.5"},
  };
  /* A FHIR record: a Patient and a pain score (LOINC 72514-3) five days old. */
  static const char record[] =
      "{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": ["
      "{\"resource\": {\"resourceType\": \"Patient\", \"id\": \"p\", \"birthDate\": "
      "\"1954-05-13\"}},"
      "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"obs-7\", \"status\": \"final\","
      " \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"72514-3\"}]},"
      " \"subject\": {\"reference\": \"Patient/p\"}, \"effectiveDateTime\": \"2026-06-10\","
      " \"valueQuantity\": {\"value\": 6}}}]}";
  uint32_t pain = 0;
  rubric_guideline* guideline = NULL;
  rubric_diagnostics* diagnostics = NULL;
  rubric_facts* facts = NULL;
  rubric_decision* decision = NULL;
  rubric_diagnostic diagnostic;
  size_t i = 0;
  size_t j = 0;
  int status = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: embed_example_c GUIDELINE.rubric\n");
    return 2;
  }
  if (rubric_compile_file(argv[1], &guideline, &diagnostics) != RUBRIC_OK) {
    for (i = 0; i < rubric_diagnostics_count(diagnostics); ++i) {
      if (rubric_diagnostics_get(diagnostics, i, &diagnostic) == RUBRIC_OK) {
        fprintf(stderr, "%s\n", diagnostic.formatted);
      }
    }
    rubric_diagnostics_free(diagnostics);
    return 1;
  }
  rubric_diagnostics_free(diagnostics);
  printf("guideline %s %s\n", rubric_guideline_id(guideline), rubric_guideline_version(guideline));

  if (rubric_facts_new(guideline, &facts) != RUBRIC_OK ||
      rubric_decision_new(&decision) != RUBRIC_OK) {
    status = report("creating the fact set");
    goto done;
  }
  for (i = 0; i < sizeof facts_text / sizeof facts_text[0]; ++i) {
    if (rubric_facts_set(facts, facts_text[i][0], facts_text[i][1]) != RUBRIC_OK) {
      status = report(facts_text[i][0]);
      goto done;
    }
  }
  /* A bad value is refused with a message; the fact keeps its value. */
  if (rubric_facts_set(facts, "pain_vas", "12") != RUBRIC_OK) {
    printf("refused pain_vas 12: [%s] %s\n", rubric_last_error_code(), rubric_last_error_message());
  }

  if (rubric_evaluate(guideline, facts, decision) != RUBRIC_OK) {
    status = report("evaluating");
    goto done;
  }
  for (i = 0; i < rubric_decision_recommended_count(decision); ++i) {
    const uint32_t r = rubric_decision_recommended(decision, i);
    printf("recommended %s: %s\n", rubric_recommendation_id(guideline, r),
           rubric_recommendation_text(guideline, r));
    for (j = 0; j < rubric_parameter_count(guideline, r); ++j) {
      const char* name = NULL;
      const char* value = NULL;
      if (rubric_parameter(guideline, r, j, &name, &value) == RUBRIC_OK) {
        printf("  %s = %s\n", name, value);
      }
    }
  }
  for (i = 0; i < rubric_decision_undetermined_count(decision); ++i) {
    const uint32_t r = rubric_decision_undetermined(decision, i);
    printf("undetermined %s: waits on", rubric_recommendation_id(guideline, r));
    for (j = 0; j < rubric_decision_missing_count(decision, r); ++j) {
      printf(" %s", rubric_fact_name(guideline, rubric_decision_missing(decision, r, j)));
    }
    printf("\n");
  }

  /* A FHIR record read into the same fact set (every value replaced), as of 2026-06-15. */
  if (rubric_facts_read_record(facts, record, strlen(record), "2026-06-15") != RUBRIC_OK) {
    status = report("reading the record");
    goto done;
  }
  if (rubric_find_fact(guideline, "pain_vas", &pain) != RUBRIC_OK) {
    status = report("pain_vas");
    goto done;
  }
  printf("record: pain_vas from %s\n", rubric_facts_source(facts, pain));
  if (rubric_facts_read_record(facts, record, strlen(record) / 2, "2026-06-15") != RUBRIC_OK) {
    printf("record cut in half: [%s] %s\n", rubric_last_error_code(), rubric_last_error_message());
  }

done:
  rubric_decision_free(decision);
  rubric_facts_free(facts);
  rubric_guideline_free(guideline);
  return status;
}
