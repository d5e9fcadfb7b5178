// CQL `Date` and `DateTime` values (issue 16 §1, values layer; not yet available in rule
// files): reading their literals and ISO texts, writing them back, comparison with
// precision, calendar arithmetic and durations between two of them, as HL7 CQL 1.5 defines
// them (Appendix B "Date and Time Operators", Appendix H "Time Interval Calculations").
//
// One type for both, with a kind flag: the two differ only in which fields a value may have
// (a Date stops at day precision and has no offset), every operation reads the same
// year..millisecond prefix, and CQL compares a Date with a DateTime by converting the Date.
// The flag keeps the two apart for formatting and for the checker.
//
// Contract: a DateTime is trivially copyable (16 bytes) and always valid: its fields form a
// real calendar date and time in years 1..9999. Fields finer than its precision read as their
// minimum (month 1, day 1, 00:00:00.000). All functions are pure and thread-safe; nothing
// reads the clock. Errors are returned as values (a message), never thrown.
//
// Time zones: a DateTime may carry an offset from UTC in minutes (-14:00..+14:00); there is
// no time-zone database (no daylight saving rules). Every operation that relates two values
// (comparison, durations) takes the evaluation's offset, `default_offset_minutes`, an input of the
// evaluation given by the caller: a DateTime written without an offset, and a Date, are read in
// that offset. A value of hour precision or finer is shifted to the evaluation's offset before it
// is compared (so two DateTimes with different offsets compare as instants); a value of day
// precision or coarser has no time of day to shift and is compared as written. Shifting a value of
// hour precision by an offset that is not a whole number of hours keeps the hour it falls in.
// Adding a duration keeps the value's own offset.
//
// Out of scope for this step: CQL's `Time` type (`@T10:30`), `Today()`/`Now()` (the wiring
// passes the evaluation date in), component extraction (`year from`, `date from`), durations
// with a fraction (see CalendarDuration) and arithmetic on uncertainty intervals.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace rubric {

enum class TemporalKind : std::uint8_t { date, date_time };

// The finest field a value gives, coarsest first (the order is used).
enum class TemporalPrecision : std::uint8_t { year, month, day, hour, minute, second, millisecond };

// The CQL name of a precision: "year", "month", ..., "millisecond".
std::string_view precision_name(TemporalPrecision precision);

// The fields of a date and time, unset ones at their minimum.
struct TemporalFields {
  int year = 1;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  friend bool operator==(const TemporalFields&, const TemporalFields&) = default;
};

struct DateTimeReading;

class DateTime {
 public:
  // The value with these fields, or nullopt when they do not form one: a field out of its
  // calendar range (year 1..9999, the month's last day, hour 0..23, ...), a Date finer than
  // day or with an offset, or an offset beyond ±14:00. Fields finer than `precision` are
  // ignored (stored at their minimum).
  static std::optional<DateTime> make(TemporalKind kind, TemporalPrecision precision,
                                      const TemporalFields& fields,
                                      std::optional<int> offset_minutes = std::nullopt);

  // Reads a CQL literal with or without its `@`, or an ISO 8601 text as fact files write it:
  // `2026`, `2026-06`, `2026-06-15` (Dates); `2026T`, `2026-06-15T` (DateTimes of year and
  // day precision), `2026-06-15T10`, `2026-06-15T10:30`, `2026-06-15T10:30:00`,
  // `2026-06-15T10:30:00.123` (1 to 3 fraction digits: `.5` is 500 ms), each optionally
  // followed by `Z` or `+hh:mm`/`-hh:mm`. Anything else is rejected with a message naming
  // the text and the broken field.
  static DateTimeReading parse(std::string_view text);

  [[nodiscard]] TemporalKind kind() const { return kind_; }
  [[nodiscard]] bool is_date() const { return kind_ == TemporalKind::date; }
  // A Date to the day (`2026-06-15`), as an evaluation date must be.
  [[nodiscard]] bool is_full_date() const {
    return is_date() && precision_ == TemporalPrecision::day;
  }
  [[nodiscard]] TemporalPrecision precision() const { return precision_; }
  [[nodiscard]] TemporalFields fields() const;
  [[nodiscard]] std::optional<int> offset_minutes() const {
    return has_offset_ ? std::optional<int>(offset_minutes_) : std::nullopt;
  }

  // The canonical CQL literal: `@2026-06-15`, `@2026-06`, `@2026-06-15T`,
  // `@2026-06-15T10:30:00.123+01:00`; a zero offset is written `Z`, milliseconds with three
  // digits. `parse(to_literal(v))` gives `v` back.
  [[nodiscard]] std::string to_literal() const;
  // The same text without the `@`, as a fact file writes it: `2026-06-15`,
  // `2026-06-15T10:30:00Z`.
  [[nodiscard]] std::string to_iso() const;

  // Identity of representation (kind, precision, fields, offset); not CQL `=`.
  friend bool operator==(const DateTime&, const DateTime&) = default;

 private:
  DateTime() = default;

  std::int16_t year_ = 1;
  std::uint8_t month_ = 1;
  std::uint8_t day_ = 1;
  std::uint8_t hour_ = 0;
  std::uint8_t minute_ = 0;
  std::uint8_t second_ = 0;
  std::uint16_t millisecond_ = 0;
  std::int16_t offset_minutes_ = 0;
  TemporalKind kind_ = TemporalKind::date;
  TemporalPrecision precision_ = TemporalPrecision::year;
  bool has_offset_ = false;
};

// What reading a literal gave: the value, or why the text is not one.
struct DateTimeReading {
  std::optional<DateTime> value;  // set when accepted; `message` is then empty
  // Otherwise the full message: "`2026-02-29` is not a date: February 2026 has 28 days".
  std::string message;
  [[nodiscard]] bool accepted() const { return value.has_value(); }
};

static_assert(std::is_trivially_copyable_v<DateTime> && sizeof(DateTime) == 16);

// ---- Comparison --------------------------------------------------------------------------
// CQL compares two dates field by field from the year down to the coarser of the two
// precisions (after the offsets are normalised): the first field that differs decides. When
// every common field is equal and the precisions differ, the order is unknown (nullopt):
// `@2026-06` against `@2026-06-15`. Seconds and milliseconds count as one precision, as CQL
// says (`@2026-06-15T10:00:00` equals `@2026-06-15T10:00:00.000`). A Date and a DateTime
// compare as two DateTimes.
std::optional<std::strong_ordering> compare(const DateTime& a, const DateTime& b,
                                            int default_offset_minutes);

// `=`, `!=`, `<`, `<=`, `>`, `>=`: nullopt stands for CQL's null (unknown order as above);
// `@2026-06 = @2026-06-15` is null, `@2026-05 < @2026-06-15` is true.
std::optional<bool> equal(const DateTime& a, const DateTime& b, int default_offset_minutes);
std::optional<bool> not_equal(const DateTime& a, const DateTime& b, int default_offset_minutes);
std::optional<bool> less(const DateTime& a, const DateTime& b, int default_offset_minutes);
std::optional<bool> less_or_equal(const DateTime& a, const DateTime& b, int default_offset_minutes);
std::optional<bool> greater(const DateTime& a, const DateTime& b, int default_offset_minutes);
std::optional<bool> greater_or_equal(const DateTime& a, const DateTime& b,
                                     int default_offset_minutes);

// `~`: never unknown; false where `=` is unknown (precisions differ), otherwise `=`.
bool equivalent(const DateTime& a, const DateTime& b, int default_offset_minutes);

// CQL's precision-qualified comparison (`same month as`, `before day of`, `after hour of`):
// both values cut to `precision` (or to their own precision when coarser), then compared as
// `compare` does.
std::optional<std::strong_ordering> compare_at(const DateTime& a, const DateTime& b,
                                               TemporalPrecision precision,
                                               int default_offset_minutes);

// ---- Arithmetic --------------------------------------------------------------------------
enum class CalendarUnit : std::uint8_t {
  year,
  month,
  week,
  day,
  hour,
  minute,
  second,
  millisecond
};

// A calendar duration of whole units (`1 month`, `-3 weeks`). A CQL quantity with a fraction
// reaches here truncated (CQL ignores the fraction of units above seconds) or, for seconds,
// converted to milliseconds by the caller.
struct CalendarDuration {
  std::int64_t amount = 0;
  CalendarUnit unit = CalendarUnit::day;
};

// `value + duration` with CQL's calendar semantics: years and months move the calendar
// fields and clamp the day to the month's last day (`@2014-01-31 + 1 month` is `@2014-02-28`,
// `@2012-02-29 + 1 year` is `@2013-02-28`); weeks are 7 days; days and finer units move the
// time line. A unit finer than the value's precision is first converted to the value's
// precision, truncating toward zero (CQL: "converting the time-based quantity to the most
// precise value specified in the first argument (truncating any resulting decimal
// portion)"), with 1 year = 12 months, 1 month = 30 days, 1 year = 365 days for units below
// a month, 1 week = 7 days, 1 day = 24 hours: `@2014 + 25 months` is `@2016`,
// `@2014-06 + 33 days` is `@2014-07`, `DateTime(2014) + 735 days` is `@2016T` (the
// conversions the CQL conformance tests DateAdd33Days and DateTimeAdd2YearsByDays fix).
// The result keeps the value's kind, precision and offset; nullopt (CQL's null) when its
// year falls outside 1..9999.
std::optional<DateTime> add(const DateTime& value, CalendarDuration duration);
// `value - duration`: `add` with the amount negated.
std::optional<DateTime> subtract(const DateTime& value, CalendarDuration duration);

// ---- Durations between two values --------------------------------------------------------
// CQL returns an uncertainty interval when the operands' precisions cannot settle the
// answer: the result is `[low, high]`, a single number when `low == high`.
struct UncertainCount {
  std::int64_t low = 0;
  std::int64_t high = 0;
  [[nodiscard]] bool exact() const { return low == high; }
  friend bool operator==(const UncertainCount&, const UncertainCount&) = default;
};

// `<unit>s between a and b` (CQL DurationBetween): the number of whole periods from `a` to
// `b`, negative when `b` is before `a`. Years and months are calendar periods as Appendix H
// defines them (a year from 2012-02-29 ends on 2013-03-01; `months between @2014-01-31 and
// @2014-02-01` is 0; the time of day counts); weeks are 7 days; days and finer units are
// whole spans of the time line between the two instants. Fields a value lacks, down to the
// day or down to `unit` when it is finer, may be anything: `low` is the smallest result over
// them and `high` the largest (`days between @2014-01-15 and @2014-02` is [17, 44], `years
// between @2005 and @2010` is [4, 5]); missing time-of-day fields finer than `unit` read as
// their minimum. Offsets are normalised as for comparison.
UncertainCount duration_between(const DateTime& a, const DateTime& b, CalendarUnit unit,
                                int default_offset_minutes);

// `difference in <unit>s between a and b` (CQL DifferenceBetween): the number of `unit`
// boundaries crossed, i.e. the duration between the two values cut to `unit` (to days for
// weeks, then whole weeks of the day count): `difference in years between @2012-12-31 and
// @2013-01-01` is 1.
UncertainCount difference_between(const DateTime& a, const DateTime& b, CalendarUnit unit,
                                  int default_offset_minutes);

}  // namespace rubric
