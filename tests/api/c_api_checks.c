/* The C API used from C (compiled as C11): the seed guideline on one case, and error
 * paths. Called by test_c_api.cpp; returns 0 when every check held, otherwise writes the
 * first failed check into `failure`. */
#include <stdio.h>
#include <string.h>

#include "rubric/rubric.h"

int rubric_c_api_checks(const char* rule_file, char* failure, size_t size);

#define CHECK(condition)                                                                       \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      snprintf(failure, size, "%s:%d: %s (last error: %s %s)", __FILE__, __LINE__, #condition, \
               rubric_last_error_code(), rubric_last_error_message());                         \
      goto done;                                                                               \
    }                                                                                          \
  } while (0)

int rubric_c_api_checks(const char* rule_file, char* failure, size_t size) {
  /* The facts of guidelines/vertebral-fracture-grade1/cases/age-65-years-fall-risk.yaml. */
  static const char* const facts_text[][2] = {
      {"neurologic_deficit", "false"},
      {"progressive_neurologic_deterioration", "false"},
      {"spinal_instability", "false"},
      {"cord_compression", "false"},
      {"pain_refractory", "false"},
      {"pulmonary_dysfunction", "false"},
      {"analgesic_contraindication", "false"},
      {"parenteral_narcotics_required", "false"},
      {"symptoms_changed", "false"},
      {"symptoms_persisting", "false"},
      {"severe_initial_pain", "false"},
      {"mri_t2_fluid_pattern", "false"},
      {"severe_collapse", "false"},
      {"fracture_grade", "1"},
      {"pain_vas", "2"},
      {"kyphosis_percent", "5"},
      {"height_loss_percent", "10"},
      {"time_since_identification", "2 weeks"},
  };
  static const char* const expected[] = {"calcitonin",     "analgesics_as_needed",
                                         "opioid_caution", "opioid_fall_risk",
                                         "calcium",        "vitamin_d",
                                         "bisphosphonate", "early_mobilization",
                                         "avoid_bed_rest", "follow_up_4_6_weeks"};
  static const char bad_rules[] = "guideline \"g\"\nfact a boolean\n";
  /* A record with a Patient only: born 1954-05-13, 72 years old on 2026-06-15. */
  static const char record[] =
      "{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [{\"resource\": "
      "{\"resourceType\": \"Patient\", \"id\": \"p\", \"birthDate\": \"1954-05-13\"}}]}";
  uint32_t pain = 0;
  const size_t expected_count = sizeof expected / sizeof expected[0];
  int result = 1;
  rubric_guideline* guideline = NULL;
  rubric_diagnostics* diagnostics = NULL;
  rubric_facts* facts = NULL;
  rubric_decision* decision = NULL;
  rubric_block* block = NULL;
  rubric_block_decision* block_decision = NULL;
  uint32_t missing[4] = {0, 0, 0, 0};
  uint32_t age = 0;
  uint32_t calcium = 0;
  uint32_t fall_risk = 0;
  size_t index = 0;
  const char* name = NULL;
  const char* value = NULL;

  CHECK(rubric_compile_file(rule_file, &guideline, &diagnostics) == RUBRIC_OK);
  CHECK(guideline != NULL);
  CHECK(rubric_diagnostics_count(diagnostics) == 0);
  CHECK(strcmp(rubric_guideline_id(guideline), "vertebral-fracture-grade1") == 0);
  CHECK(rubric_fact_count(guideline) == 19);
  CHECK(rubric_recommendation_count(guideline) == 16);

  CHECK(rubric_facts_new(guideline, &facts) == RUBRIC_OK);
  CHECK(rubric_decision_new(&decision) == RUBRIC_OK);
  for (index = 0; index < sizeof facts_text / sizeof facts_text[0]; ++index) {
    CHECK(rubric_facts_set(facts, facts_text[index][0], facts_text[index][1]) == RUBRIC_OK);
  }
  CHECK(rubric_find_fact(guideline, "age", &age) == RUBRIC_OK);
  CHECK(rubric_find_fact(guideline, "pain_vas", &pain) == RUBRIC_OK);
  CHECK(rubric_facts_set_quantity(facts, age, 65, "years") == RUBRIC_OK);

  /* The guideline may go first: the fact set and the decision keep it alive... */
  CHECK(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  CHECK(rubric_decision_recommended_count(decision) == expected_count);
  for (index = 0; index < expected_count; ++index) {
    CHECK(strcmp(rubric_recommendation_id(guideline, rubric_decision_recommended(decision, index)),
                 expected[index]) == 0);
  }
  CHECK(rubric_decision_undetermined_count(decision) == 0);

  CHECK(rubric_find_recommendation(guideline, "calcium", &calcium) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, calcium) == RUBRIC_RECOMMENDED);
  CHECK(rubric_parameter_count(guideline, calcium) == 1);
  CHECK(rubric_parameter(guideline, calcium, 0, &name, &value) == RUBRIC_OK);
  CHECK(strcmp(name, "calcium_daily_dose") == 0 && strcmp(value, "1000 mg/d") == 0);
  CHECK(rubric_citation_count(guideline, calcium) == 1);
  CHECK(strcmp(rubric_recommendation_kind(guideline, calcium), "prescribe") == 0);
  CHECK(rubric_recommendation_evidence(guideline, calcium) == NULL);
  /* A prescription's card is `info` by default, and calcium has no summary clause. */
  CHECK(strcmp(rubric_recommendation_indicator(guideline, calcium), "info") == 0);
  CHECK(rubric_recommendation_summary(guideline, calcium) == NULL);

  /* A bad value: an error, and the fact keeps its value. */
  CHECK(rubric_facts_set(facts, "fracture_grade", "4") == RUBRIC_ERROR_FACT);
  CHECK(strcmp(rubric_last_error_code(), "E0409") == 0);
  CHECK(strstr(rubric_last_error_message(), "`fracture_grade`") != NULL);
  CHECK(rubric_facts_set(facts, "Pain_VAS", "2") == RUBRIC_ERROR_FACT);
  CHECK(strcmp(rubric_last_error_code(), "E0404") == 0);

  /* Age absent: the fall-risk caution waits on it. */
  CHECK(rubric_facts_set_absent(facts, age) == RUBRIC_OK);
  CHECK(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  CHECK(rubric_find_recommendation(guideline, "opioid_fall_risk", &fall_risk) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, fall_risk) == RUBRIC_UNDETERMINED);
  CHECK(rubric_decision_undetermined_count(decision) == 1);
  CHECK(rubric_decision_undetermined(decision, 0) == fall_risk);
  CHECK(rubric_decision_missing_count(decision, fall_risk) == 1);
  CHECK(rubric_decision_missing(decision, fall_risk, 0) == age);

  /* The same patient twice in a block: without the age, then 70 years old. */
  CHECK(rubric_block_new(guideline, &block) == RUBRIC_OK);
  CHECK(rubric_block_decision_new(&block_decision) == RUBRIC_OK);
  CHECK(rubric_block_add(block, facts) == RUBRIC_OK);
  CHECK(rubric_facts_set_quantity(facts, age, 70, "years") == RUBRIC_OK);
  CHECK(rubric_block_add(block, facts) == RUBRIC_OK);
  CHECK(rubric_block_size(block) == 2);
  CHECK(rubric_evaluate_block(guideline, block, block_decision) == RUBRIC_OK);
  CHECK(rubric_block_decision_rows(block_decision) == 2);
  CHECK(rubric_block_decision_outcome(block_decision, 0, fall_risk) == RUBRIC_UNDETERMINED);
  CHECK(rubric_block_decision_outcome(block_decision, 1, fall_risk) == RUBRIC_RECOMMENDED);
  CHECK(rubric_block_decision_outcome(block_decision, 1, calcium) == RUBRIC_RECOMMENDED);
  CHECK(rubric_block_decision_undetermined_rows(block_decision, fall_risk) == 1);
  CHECK(rubric_block_decision_recommended_rows(block_decision, fall_risk) == 2);
  CHECK(rubric_block_decision_missing(block_decision, 0, fall_risk, NULL, 0) == 1);
  CHECK(rubric_block_decision_missing(block_decision, 0, fall_risk, missing, 4) == 1);
  CHECK(missing[0] == age);
  CHECK(rubric_block_decision_missing(block_decision, 1, fall_risk, missing, 4) == 0);
  CHECK(rubric_block_clear(block) == RUBRIC_OK);
  CHECK(rubric_block_size(block) == 0);
  CHECK(rubric_facts_set_absent(facts, age) == RUBRIC_OK);

  /* Freeing the guideline first is allowed: the fact set and decision keep it alive. */
  rubric_guideline_free(guideline);
  guideline = NULL;
  CHECK(rubric_facts_set_quantity(facts, age, 64, "years") == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, fall_risk) == RUBRIC_UNDETERMINED);

  /* A FHIR record, read after the guideline was freed: the age comes from the Patient, the
   * pain score is absent with a reason; a truncated record is an error that reads nothing. */
  CHECK(rubric_facts_read_record(facts, record, strlen(record), "2026-06-15") == RUBRIC_OK);
  CHECK(strcmp(rubric_facts_source(facts, age), "Patient/p") == 0);
  CHECK(strcmp(rubric_facts_absent_reason(facts, age), "") == 0);
  CHECK(strcmp(rubric_facts_source(facts, pain), "") == 0);
  CHECK(strstr(rubric_facts_absent_reason(facts, pain), "72514-3") != NULL);
  CHECK(rubric_facts_read_record(facts, record, strlen(record) - 1, "2026-06-15") ==
        RUBRIC_ERROR_RECORD);
  CHECK(strcmp(rubric_last_error_code(), "E0414") == 0);
  CHECK(strcmp(rubric_facts_source(facts, age), "") == 0);

  /* Errors from C. */
  rubric_diagnostics_free(diagnostics);
  diagnostics = NULL;
  CHECK(rubric_compile(bad_rules, strlen(bad_rules), "bad.rubric", &guideline, &diagnostics) ==
        RUBRIC_ERROR_COMPILE);
  CHECK(guideline == NULL);
  CHECK(strcmp(rubric_last_error_code(), "E0101") == 0);
  CHECK(rubric_diagnostics_count(diagnostics) == 1);
  result = 0;

done:
  rubric_block_decision_free(block_decision);
  rubric_block_free(block);
  rubric_decision_free(decision);
  rubric_facts_free(facts);
  rubric_diagnostics_free(diagnostics);
  rubric_guideline_free(guideline);
  return result;
}
