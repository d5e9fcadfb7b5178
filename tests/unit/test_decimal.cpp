// Unit tests for values/decimal: parsing, printing, range limits and exact arithmetic with
// rounding half away from zero.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "values/decimal.hpp"

namespace rubric {
namespace {

// 10^28: the first raw value out of range.
const Int128 kRawLimit = Int128{10'000'000'000'000'000} * 1'000'000'000'000;

Decimal decimal(std::string_view text) {
  const std::optional<Decimal> parsed = Decimal::parse(text);
  INFO("parsing " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// The result as text, "null" when absent: readable both in checks and in failure reports.
std::string text(const std::optional<Decimal>& value) {
  return value ? value->to_string() : "null";
}

std::string parsed_text(std::string_view input) {
  return text(Decimal::parse(input));
}

Int128 parse_int128(std::string_view digits) {
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  Int128 value = 0;
  for (const char digit : digits) value = value * 10 + (digit - '0');
  return negative ? -value : value;
}

struct MultiplyCase {
  const char* a;
  const char* b;
  const char* expected;  // nullptr: out of range
};

struct ScaleCase {
  const char* value;
  const char* numerator;
  const char* denominator;
  const char* expected;  // nullptr: out of range
};

struct ProductCase {
  const char* x[3];
  const char* y[3];
  int expected_sign;
};

// Reference results computed with exact integer arithmetic (Python int), rounding half
// away from zero to 8 fractional digits.
const MultiplyCase kMultiplyCases[] = {
    {"-333660865483.31949395", "-187629297706.58008782", nullptr},
    {"-0.00000819", "977575257859.3444451", "-8006341.36186803"},
    {"0.16746922", "14.03187895", "2.34990782"},
    {"72165862.22091514", "81720446908683223807.45268935", nullptr},
    {"-0.00000005", "41157399.30269024", "-2.05786997"},
    {"0.57531494", "-9891758262472221.05580061", "-5690876311268710.10838466"},
    {"0.91805239", "58667566.47680159", "53859899.61951158"},
    {"0.00000006", "-9201.89529494", "-0.00055211"},
    {"-936189353979.33468945", "-81753917.92715988", "76537147609507357009.2735488"},
    {"0.11627567", "-634365400471.3183309", "-73761261964.62085471"},
    {"-0.00000002", "-5418.44677329", "0.00010837"},
    {"-0.24728099", "0.00000009", "-0.00000002"},
    {"-2369.41038788", "0.5465093", "-1294.90481249"},
    {"-612126787390.71366316", "-0.00000676", "4137977.08276122"},
    {"60154113715088954253.19726968", "-0.97687552", "-58763081115566654032.34829448"},
    {"-289888199932.16008722", "-317045514674.85231629", nullptr},
    {"0.00000001", "5451031064394038385.31033902", "54510310643.94038385"},
    {"36329207.83271767", "-36343977937649466508.49372357", nullptr},
    {"7603343076330830.32611495", "-0.00000116", "-8819877968.54376318"},
    {"0.38362708", "-460598426076.67300142", "-176698029248.38991965"},
    {"-0.00000008", "8241095848268463.03500652", "-659287667.86147704"},
    {"-893250345613.53052803", "0.00000002", "-17865.00691227"},
    {"0.00000003", "-2167790438152557.56933432", "-65033713.14457673"},
    {"29650954.87307979", "0.00007419", "2199.80434203"},
    {"0.00005778", "-6602.89163787", "-0.38151508"},
    {"883362244718.47482173", "-0.00008117", "-71702513.4037986"},
    {"-0.00006645", "699697610625.93960346", "-46494906.22609369"},
    {"-71800516610869240768.03675121", "-0.00009418", "6762172654411665.0955337"},
    {"0.00000006", "-91790273399924103422.62744211", "-5507416403995.44620536"},
    {"-3841.62769174", "0.95856646", "-3682.45545711"},
    {"58646389251075005943.51315649", "7952.38339183", nullptr},
    {"7096714652802966.29476952", "778009524132338.80506037", nullptr},
    {"347036788793.57720558", "451291593207.68751291", nullptr},
    {"0.00000008", "28205749667398353324.62408539", "2256459973391.86826597"},
    {"-70522724.18318516", "60047998.77295937", "-4234748455217654.57662825"},
    {"-0.00000001", "0.00000007", "0.0"},
    {"9255608134506140.82054934", "553608990733.03534201", nullptr},
    {"349098817205.82812605", "0.45444431", "158645971106.91869072"},
    {"2983.62876083", "-441039985324464.62044362", "-1315899584890113760.97737423"},
    {"113501790483.87459496", "4712.71739318", "534901862170428.01198592"},
};
const MultiplyCase kDivideCases[] = {
    {"-0.00000009", "-71217478774068980203.98448362", "0.0"},
    {"3454210254991683.14627927", "0.00000002", nullptr},
    {"9825.98413628", "-130383886447.7787407", "-0.00000008"},
    {"5827322519883041.91801562", "0.00006022", "96767228825689835901.9531717"},
    {"-5774066201008890.84102522", "8511.06703405", "-678418602263.23414373"},
    {"350475134874.16503669", "76250750.10377326", "4596.34999521"},
    {"375728609985.32858669", "930078434055.89807142", "0.40397519"},
    {"0.00000006", "-56398044641099382922.30658263", "0.0"},
    {"-79614705.27997769", "320028011801.4015361", "-0.00024877"},
    {"-4572208609266405358.29946584", "-236702558763.56044249", "19316261.8653123"},
    {"-0.00000008", "-3470.43631209", "0.0"},
    {"-4012783235077899.95938955", "-6687.16244287", "600072642075.0280857"},
    {"-0.67950913", "526644075775.65988458", "0.0"},
    {"0.57713897", "-24531214521857837399.45877446", "0.0"},
    {"0.00000003", "-4051850.00771079", "0.0"},
    {"0.00001239", "-752793544473.34929637", "0.0"},
    {"16249548220801368934.93890828", "-277868817534.5171715", "-58479207.43673526"},
    {"0.56755012", "0.00000006", "9459168.66666667"},
    {"-0.65581636", "50985250.52331026", "-0.00000001"},
    {"-0.00001768", "0.00000008", "-221.0"},
    {"-0.00000002", "0.00000006", "-0.33333333"},
    {"67178339192616199168.58108888", "0.00009691", nullptr},
    {"-0.03378186", "0.00008386", "-402.83639399"},
    {"0.00004644", "-0.00000007", "-663.42857143"},
    {"-0.16355695", "-0.00389467", "41.99507275"},
    {"-0.00000006", "-0.11563538", "0.00000052"},
    {"0.00000003", "81679805407656663771.76923478", "0.0"},
    {"-0.77528078", "1071543019.8748454", "0.0"},
    {"0.18114156", "-8837.13825703", "-0.0000205"},
    {"48267417.24681582", "-99688370.07012285", "-0.48418303"},
    {"10350288.90149787", "0.00000009", "115003210016643.0"},
    {"-965018915926.09560142", "-19847197435961683247.54209174", "0.00000005"},
    {"0.00007389", "0.11090154", "0.00066627"},
    {"-241487066396.51117202", "0.00000657", "-36756022282573998.78538813"},
    {"0.00000005", "0.65195634", "0.00000008"},
    {"1619547903756691.42587111", "66074153679357967626.73930185", "0.00002451"},
    {"-0.00000003", "0.00004454", "-0.00067355"},
    {"-836904687336.10916157", "0.00000003", "-27896822911203638719.0"},
    {"-3143.65172738", "-560826677504.10930248", "0.00000001"},
    {"366052952658.54343638", "266207284378976142.25626838", "0.00000138"},
};
const ScaleCase kScaleCases[] = {
    {"0.91935592", "9940184529365246922", "68", "134390698425946376.47062468"},
    {"6271.24510621", "84493711812663150181125390778465211051", "701588901259815349520034726778",
     "755258208559.45121835"},
    {"-0.89322729", "131493694135", "65484437288851570153495027773510503718", "0.0"},
    {"-21061162620098358695.35624563", "1047079452089", "584609084347192636540174156718",
     "-37.72214837"},
    {"22012072658823776718.38005064", "18391213842148950408", "683513384594529705336282582970",
     "592276237.01545905"},
    {"-0.00008909", "244288821631046833794638692302", "181", nullptr},
    {"-145596938304381.08519684", "189110624382214085687709147801",
     "453540098448486315290998962351", "-60708916378223.05933473"},
    {"-0.59754567", "4656860769206123883", "231", "-12046264019186098.11155947"},
    {"-926026097367.8628968", "566116117643", "331558508157523931741145432426", "-0.00000158"},
    {"0.00000008", "7305342230664719875", "147", "3975696452.06243259"},
    {"-52720708096029702553.75049381", "4478372486764005511438293665",
     "200153532148775832132314046471", "-1179609303344586602.7068969"},
    {"1241.52732527", "135", "58439996873754632586718050431846768424", "0.0"},
    {"-380618074072.97610944", "39436462499801083003412551604776153066",
     "68849207577435384952714548699774596295", "-218016022741.34061096"},
    {"80164079656373088657.74808595", "196", "16058714021432863706", "978.41954167"},
    {"-374572384117.45440699", "165", "93667298090012535960253358480", "0.0"},
    {"4669385201508964.300193", "749442689276", "1027808872652822632319062100419", "0.00340475"},
    {"0.00000009", "637640269743629928854439445578", "619767939977", "92595341861.43346889"},
    {"43829375.43536234", "951072846840", "49810737404", "836866327.28271475"},
    {"1714315865501286.60893361", "105", "1169251647875337046250663827767", "0.0"},
    {"5243.09088087", "2296506888270723229", "1038730775305", "11591833620.42186501"},
    {"0.69776468", "289560324248250012919465260957", "799544157982", "252700197947447218.27834379"},
    {"-3385625180350955.20717978", "95", "17884068829460452576", "-0.01798441"},
    {"0.00000006", "598549361741", "1195933216261202672431040408043", "0.0"},
    {"-0.0000425", "625459915376582504740259076181", "239", nullptr},
    {"-0.28013859", "549141017715", "171", "-899623335.75348024"},
    {"214.7111765", "1091917196691", "679967283131", "344.79133299"},
    {"0.00009058", "4811704869959966721128265857199036899", "8293008952360849315",
     "52555619995670.9182297"},
    {"0.32982724", "93", "142", "0.21601361"},
    {"0.81046545", "1028051613888", "740319702791626825019973824073", "0.0"},
    {"0.00000005", "797084988592", "423865736567813944887400469769", "0.0"},
};
const ProductCase kProductCases[] = {
    {{"43643953215590005751621496051467531236", "0", "1"},
     {"-29192610528047783247226845398774267371", "-169212129141549009185180867493531315784", "-1"},
     1},
    {{"166047171358299107622021371616338908734", "-403280113",
      "34873414976624217580797304736912322932"},
     {"-93612717717412980043420341518187121374", "840070101804380537726176343204",
      "771638610350652238819654716840"},
     1},
    {{"-125157014", "-11119527392227333779", "-928148653129916352312396472567"},
     {"-11119527392227333778", "-928148653129916352312396472567", "-125157014"},
     -1},
    {{"-387730968", "631180127159670494039003654707", "-433723355"},
     {"-929303101", "-5240632583085136937", "-750237123560385794118078144398"},
     1},
    {{"922816589", "11619961006160830760", "89359515411366237278513781351"},
     {"-54430019948679774601659920955696883029", "242834387421020332", "0"},
     1},
    {{"-701294979", "43183455838253448575519713666521872111", "44645928316112901337934031810"},
     {"149532309786424643039440254301970973324", "-12509941742755940928",
      "127712489389546753959855700817424460733"},
     1},
    {{"1146309283974269134130716139963", "200331522", "429244120"},
     {"-182875336413754669892636899315", "96461321044844774833098611306501919521",
      "-137293554129358040782812016359288291901"},
     -1},
    {{"-113790557303006461099768090631327978679", "-17966120974672002941", "-1"},
     {"-17966120974672002941", "-1", "-113790557303006461099768090631327978679"},
     0},
    {{"-973423557606865657219476643552", "-206929301", "0"},
     {"-139262579", "313127166", "1376987499319896989077920185293487234"},
     1},
    {{"-11194718122953632259", "-74414413318021160318561218406915588130", "0"},
     {"15675627545406265905124218289957386987", "-768579256188753141897818225206", "-1"},
     -1},
    {{"-407672078381148145015431872022", "-267150921206067610698688527847",
      "-647875973988178107470540481188"},
     {"173833358446745294183873375077", "854619096456639513933540930911",
      "210774152289220724535348060229"},
     -1},
    {{"-207788160604392583342457076534", "1", "15505824283303624001198790033161069014"},
     {"980869906", "34564139250774646064716324328", "556563573696970986538844760190"},
     -1},
    {{"899611417", "-797777008", "12302876213859139225"},
     {"4477888765040117808", "46660437736140013632915247340732810429", "-966054580"},
     1},
    {{"1", "391918935", "93414308"},
     {"517574902495487528790453834966", "772314360336552395319598771570",
      "151839524128225070597331059518863622927"},
     -1},
    {{"-432380249708827804779784953885", "-435015918", "-946768048"},
     {"-9400338570300373649", "-230232233303026276660479066540",
      "65143270199467642166532251825129489844"},
     -1},
    {{"1", "-5704796519916561205", "-47355523270020158751772406687678929017"},
     {"-61875008", "-63733007202414800915838347930859381176", "738291206037054159142119844787"},
     -1},
    {{"16640322797443873292", "-3669847687171591001", "231932672"},
     {"-3669847687171591001", "231932672", "16640322797443873292"},
     0},
    {{"-12895650279361940588749566009911950218", "568760723730412461474226410105",
      "1003543387192651669393627992843"},
     {"-287534622", "-1", "410762559"},
     -1},
    {{"0", "-105775263239188625893027732248800866839", "166971562184903766035205216855083482671"},
     {"-105775263239188625893027732248800866840", "166971562184903766035205216855083482671", "0"},
     0},
    {{"-198476694983901219998834298500", "4423742397431141524", "977412999265691795466335833309"},
     {"-936159338622533652844435254541", "-10939358368809659000", "196484339030025937509525759168"},
     -1},
    {{"-155042315478248749552017331034321863063", "737410652", "-14119896230196787357"},
     {"737410651", "-14119896230196787357", "-155042315478248749552017331034321863063"},
     1},
    {{"820461442", "11846135468400550707", "413608810916804472237441309878"},
     {"3804775793232238029", "859881867443576319087264105574", "12101657010643847158"},
     -1},
    {{"0", "97917631066597349445443846837589785461", "0"},
     {"9533320716153000353", "965184084", "-874361045428058356934640014792"},
     1},
    {{"119896154854839591904153757342996638260", "-10209578575318861125", "362556493"},
     {"-889009299", "528775973656661721949284058801", "838485769288185053510961109011"},
     1},
    {{"-1", "-757631027", "-821148666"}, {"-757631027", "-821148666", "-1"}, 0},
    {{"1192235298179609889921201195223", "51219039915394029420578965321136016648", "801132597"},
     {"-18288226330419141735", "-30274980028918304431498156360721020260",
      "28010881770538156613273678061231536475"},
     -1},
    {{"-968882970769745344225741262836", "673898140783850947871861192316",
      "-670252894173075486480719586681"},
     {"11069087552337948348", "-11244378981672135977", "-17896693487110252053"},
     1},
    {{"1061160026", "-961092895517985932873514285991", "0"},
     {"-3453021658758878629", "1002396380543456164973016068176", "1398933550095452101"},
     1},
    {{"5120874202711686541", "-1", "-906881609753842746139139326408"},
     {"531064774449123852422826826274", "10821425", "-233429075"},
     1},
    {{"-1", "-4083005162640504566", "1236101500719429622146537007631"}, {"0", "1", "0"}, 1},
};

}  // namespace

TEST_CASE("Decimal parses well-formed text", "[decimal]") {
  CHECK(parsed_text("12") == "12.0");
  CHECK(parsed_text("-0.5") == "-0.5");
  CHECK(parsed_text("+3.50") == "3.5");
  CHECK(parsed_text("0") == "0.0");
  CHECK(parsed_text("-0") == "0.0");
  CHECK(parsed_text("007.25") == "7.25");
  CHECK(parsed_text("0.00000001") == "0.00000001");
  CHECK(parsed_text("-0.00000001") == "-0.00000001");
  CHECK(parsed_text("1.00000000") == "1.0");
  CHECK(parsed_text("99999999999999999999.99999999") == "99999999999999999999.99999999");
  CHECK(parsed_text("-99999999999999999999.99999999") == "-99999999999999999999.99999999");
  CHECK(parsed_text("0000000000000000000000000000000001") == "1.0");
}

TEST_CASE("Decimal rejects malformed or out-of-range text", "[decimal]") {
  for (const std::string_view input :
       {"", ".", "-", "+", "1.", ".5", "-.5", "1e5", "1E5", "1.5e2", " 1", "1 ", "- 1", "--1",
        "+-1", "1,5", "1..2", "1.2.3", "0x10", "abc", "1a", "\xC2\xB9", "1.123456789",
        "0.000000001", "1.000000000", "100000000000000000000", "-100000000000000000000",
        "100000000000000000000.0", "123456789012345678901234567890",
        // 2^128: wraps to 0 unless the range check comes first.
        "340282366920938463463374607431768211456", "-340282366920938463463374607431768211456.5",
        "99999999999999999999999999999999999999999999999999"}) {
    INFO("input: '" << input << "'");
    CHECK_FALSE(Decimal::parse(input).has_value());
  }
  CHECK_FALSE(Decimal::parse(std::string{'1', '\0', '2'}).has_value());
}

TEST_CASE("Decimal prints the shortest form with at least one fractional digit", "[decimal]") {
  CHECK(decimal("2.5").to_string() == "2.5");
  CHECK(decimal("3").to_string() == "3.0");
  CHECK(decimal("-0.5").to_string() == "-0.5");
  CHECK(decimal("100").to_string() == "100.0");
  CHECK(decimal("10.10").to_string() == "10.1");
  CHECK(decimal("-12.00000100").to_string() == "-12.000001");
  CHECK(Decimal().to_string() == "0.0");
  for (const std::string_view input : {"0.1", "-7.25", "123456789.87654321", "-0.00000001",
                                       "99999999999999999999.99999999", "42.0"}) {
    const Decimal value = decimal(input);
    CHECK(Decimal::parse(value.to_string()) == std::optional<Decimal>(value));
  }
}

TEST_CASE("Decimal range is |value| < 10^20", "[decimal]") {
  CHECK(text(Decimal::from_raw(kRawLimit - 1)) == "99999999999999999999.99999999");
  CHECK(text(Decimal::from_raw(-(kRawLimit - 1))) == "-99999999999999999999.99999999");
  CHECK_FALSE(Decimal::from_raw(kRawLimit).has_value());
  CHECK_FALSE(Decimal::from_raw(-kRawLimit).has_value());
  CHECK_FALSE(Decimal::from_raw(std::numeric_limits<Int128>::max()).has_value());
  CHECK_FALSE(Decimal::from_raw(std::numeric_limits<Int128>::min()).has_value());
  CHECK(Decimal::from_raw(1)->raw() == 1);

  const Decimal largest = decimal("99999999999999999999.99999999");
  const Decimal smallest_step = decimal("0.00000001");
  CHECK_FALSE(Decimal::add(largest, smallest_step).has_value());
  CHECK_FALSE(Decimal::subtract(Decimal::negate(largest).value(), smallest_step).has_value());
  CHECK(text(Decimal::subtract(largest, smallest_step)) == "99999999999999999999.99999998");
  CHECK_FALSE(Decimal::multiply(decimal("10000000000"), decimal("10000000000")).has_value());
  CHECK(text(Decimal::multiply(decimal("9999999999"), decimal("10000000000"))) ==
        "99999999990000000000.0");
  CHECK_FALSE(Decimal::divide(largest, decimal("0.5")).has_value());
  CHECK(text(Decimal::negate(largest)) == "-99999999999999999999.99999999");
}

TEST_CASE("Decimal converts integers exactly", "[decimal]") {
  CHECK(text(Decimal::from_integer(0)) == "0.0");
  CHECK(text(Decimal::from_integer(-42)) == "-42.0");
  CHECK(text(Decimal::from_integer(std::numeric_limits<std::int64_t>::max())) ==
        "9223372036854775807.0");
  CHECK(text(Decimal::from_integer(std::numeric_limits<std::int64_t>::min())) ==
        "-9223372036854775808.0");
  CHECK(Decimal::from_integer(1)->raw() == Decimal::kOne);
}

TEST_CASE("Decimal to_int32 accepts integral values within int32", "[decimal]") {
  CHECK(decimal("5.0").to_int32() == std::optional<std::int32_t>(5));
  CHECK(decimal("-5").to_int32() == std::optional<std::int32_t>(-5));
  CHECK_FALSE(decimal("5.5").to_int32().has_value());
  CHECK_FALSE(decimal("-0.00000001").to_int32().has_value());
  CHECK(decimal("2147483647").to_int32() == std::optional<std::int32_t>(2147483647));
  CHECK(decimal("-2147483648").to_int32() ==
        std::optional<std::int32_t>(std::numeric_limits<std::int32_t>::min()));
  CHECK_FALSE(decimal("2147483648").to_int32().has_value());
  CHECK_FALSE(decimal("-2147483649").to_int32().has_value());
  CHECK(decimal("3").is_integer());
  CHECK_FALSE(decimal("3.00000001").is_integer());
}

TEST_CASE("Decimal to_double approximates", "[decimal]") {
  CHECK(decimal("2.5").to_double() == Approx(2.5));
  CHECK(decimal("-0.125").to_double() == Approx(-0.125));
}

TEST_CASE("Decimal orders by value", "[decimal]") {
  CHECK(decimal("1.5") < decimal("2"));
  CHECK(decimal("-2") < decimal("-1.5"));
  CHECK(decimal("1.50") == decimal("1.5"));
  CHECK((decimal("0.00000001") <=> decimal("0")) == std::strong_ordering::greater);
}

TEST_CASE("Decimal addition and subtraction are exact", "[decimal]") {
  CHECK(text(Decimal::add(decimal("0.1"), decimal("0.2"))) == "0.3");
  CHECK(text(Decimal::add(decimal("-1.5"), decimal("1.5"))) == "0.0");
  CHECK(text(Decimal::subtract(decimal("1"), decimal("0.00000001"))) == "0.99999999");
  CHECK(text(Decimal::subtract(decimal("-2.5"), decimal("2.5"))) == "-5.0");
}

TEST_CASE("Decimal multiplication rounds half away from zero", "[decimal]") {
  CHECK(text(Decimal::multiply(decimal("2.5"), decimal("4"))) == "10.0");
  CHECK(text(Decimal::multiply(decimal("-1.5"), decimal("1.5"))) == "-2.25");
  CHECK(text(Decimal::multiply(decimal("0"), decimal("-7"))) == "0.0");
  // Exactly half of the last digit: away from zero for both signs.
  CHECK(text(Decimal::multiply(decimal("0.00000001"), decimal("0.5"))) == "0.00000001");
  CHECK(text(Decimal::multiply(decimal("-0.00000001"), decimal("0.5"))) == "-0.00000001");
  CHECK(text(Decimal::multiply(decimal("0.00000001"), decimal("-0.5"))) == "-0.00000001");
  CHECK(text(Decimal::multiply(decimal("0.00000003"), decimal("0.5"))) == "0.00000002");
  CHECK(text(Decimal::multiply(decimal("-0.00000003"), decimal("0.5"))) == "-0.00000002");
  // Just below half: toward zero.
  CHECK(text(Decimal::multiply(decimal("0.00000001"), decimal("0.49999999"))) == "0.0");
  CHECK(text(Decimal::multiply(decimal("-0.00000001"), decimal("0.49999999"))) == "0.0");
  CHECK(text(Decimal::multiply(decimal("1.23456789"), decimal("0.1"))) == "0.12345679");
  CHECK(text(Decimal::multiply(decimal("-1.23456789"), decimal("0.1"))) == "-0.12345679");
  CHECK(text(Decimal::multiply(decimal("1.23456784"), decimal("0.1"))) == "0.12345678");
}

TEST_CASE("Decimal division rounds half away from zero; by zero is null", "[decimal]") {
  CHECK(text(Decimal::divide(decimal("1"), decimal("3"))) == "0.33333333");
  CHECK(text(Decimal::divide(decimal("2"), decimal("3"))) == "0.66666667");
  CHECK(text(Decimal::divide(decimal("-2"), decimal("3"))) == "-0.66666667");
  CHECK(text(Decimal::divide(decimal("2"), decimal("-3"))) == "-0.66666667");
  CHECK(text(Decimal::divide(decimal("-2"), decimal("-3"))) == "0.66666667");
  CHECK(text(Decimal::divide(decimal("0.00000001"), decimal("2"))) == "0.00000001");
  CHECK(text(Decimal::divide(decimal("-0.00000001"), decimal("2"))) == "-0.00000001");
  CHECK(text(Decimal::divide(decimal("0.00000001"), decimal("3"))) == "0.0");
  CHECK(text(Decimal::divide(decimal("7"), decimal("2"))) == "3.5");
  CHECK_FALSE(Decimal::divide(decimal("1"), decimal("0")).has_value());
  CHECK_FALSE(Decimal::divide(decimal("0"), decimal("0")).has_value());
  CHECK_FALSE(Decimal::divide(decimal("10000000000000000000"), decimal("0.1")).has_value());
}

TEST_CASE("Decimal div truncates toward zero and mod takes the dividend's sign", "[decimal]") {
  CHECK(text(Decimal::truncated_divide(decimal("7"), decimal("2"))) == "3.0");
  CHECK(text(Decimal::truncated_divide(decimal("-7"), decimal("2"))) == "-3.0");
  CHECK(text(Decimal::truncated_divide(decimal("7"), decimal("-2"))) == "-3.0");
  CHECK(text(Decimal::truncated_divide(decimal("-7"), decimal("-2"))) == "3.0");
  CHECK(text(Decimal::truncated_divide(decimal("7.5"), decimal("2"))) == "3.0");
  CHECK(text(Decimal::truncated_divide(decimal("0.5"), decimal("2"))) == "0.0");
  CHECK_FALSE(Decimal::truncated_divide(decimal("7"), decimal("0")).has_value());
  CHECK_FALSE(
      Decimal::truncated_divide(decimal("99999999999999999999"), decimal("0.1")).has_value());

  CHECK(text(Decimal::modulo(decimal("7"), decimal("3"))) == "1.0");
  CHECK(text(Decimal::modulo(decimal("-7"), decimal("3"))) == "-1.0");
  CHECK(text(Decimal::modulo(decimal("7"), decimal("-3"))) == "1.0");
  CHECK(text(Decimal::modulo(decimal("-7"), decimal("-3"))) == "-1.0");
  CHECK(text(Decimal::modulo(decimal("7.5"), decimal("2"))) == "1.5");
  CHECK(text(Decimal::modulo(decimal("-7.5"), decimal("2"))) == "-1.5");
  CHECK(text(Decimal::modulo(decimal("6"), decimal("3"))) == "0.0");
  CHECK_FALSE(Decimal::modulo(decimal("7"), decimal("0")).has_value());

  // a = b * (a div b) + (a mod b)
  for (const auto& [dividend, divisor] :
       {std::pair{"17.25", "4.5"}, std::pair{"-17.25", "4.5"}, std::pair{"17.25", "-0.3"},
        std::pair{"-0.00000007", "0.00000002"}}) {
    const Decimal a = decimal(dividend);
    const Decimal b = decimal(divisor);
    const Decimal quotient = Decimal::truncated_divide(a, b).value();
    const Decimal remainder = Decimal::modulo(a, b).value();
    CHECK(Decimal::add(Decimal::multiply(b, quotient).value(), remainder) ==
          std::optional<Decimal>(a));
  }
}

TEST_CASE("Decimal scale multiplies by a rational exactly, then rounds", "[decimal]") {
  CHECK(text(Decimal::scale(decimal("1"), 1, 3)) == "0.33333333");
  CHECK(text(Decimal::scale(decimal("5"), 1, 1000)) == "0.005");
  CHECK(text(Decimal::scale(decimal("1500"), 1, 1000)) == "1.5");
  CHECK(text(Decimal::scale(decimal("0.00000001"), 1, 2)) == "0.00000001");
  CHECK(text(Decimal::scale(decimal("-0.00000001"), 1, 2)) == "-0.00000001");
  CHECK(text(Decimal::scale(decimal("3"), -1, 2)) == "-1.5");
  CHECK(text(Decimal::scale(decimal("3"), 1, -2)) == "-1.5");
  CHECK(text(Decimal::scale(decimal("-3"), -1, -2)) == "-1.5");
  CHECK_FALSE(Decimal::scale(decimal("3"), 1, 0).has_value());
  // Products far beyond 128 bits stay exact.
  const Int128 huge = std::numeric_limits<Int128>::max();
  const Decimal largest = decimal("99999999999999999999.99999999");
  CHECK(Decimal::scale(largest, huge, huge) == std::optional<Decimal>(largest));
  CHECK(text(Decimal::scale(largest, huge - 1, huge)) == "99999999999999999999.99999999");
  CHECK(text(Decimal::scale(decimal("0.00000001"), huge, huge - 1)) == "0.00000001");
  CHECK(Decimal::scale(largest, huge, huge - 1) == std::optional<Decimal>(largest));
  CHECK_FALSE(Decimal::scale(largest, 2, 1).has_value());
  CHECK_FALSE(Decimal::scale(largest, huge, 1).has_value());
}

TEST_CASE("Decimal multiply matches exact reference results", "[decimal]") {
  for (const MultiplyCase& example : kMultiplyCases) {
    INFO(example.a << " * " << example.b);
    const std::string expected = example.expected ? example.expected : "null";
    CHECK(text(Decimal::multiply(decimal(example.a), decimal(example.b))) == expected);
  }
}

TEST_CASE("Decimal divide matches exact reference results", "[decimal]") {
  for (const MultiplyCase& example : kDivideCases) {
    INFO(example.a << " / " << example.b);
    const std::string expected = example.expected ? example.expected : "null";
    CHECK(text(Decimal::divide(decimal(example.a), decimal(example.b))) == expected);
  }
}

TEST_CASE("Decimal scale matches exact reference results", "[decimal]") {
  for (const ScaleCase& example : kScaleCases) {
    INFO(example.value << " * " << example.numerator << " / " << example.denominator);
    const std::string expected = example.expected ? example.expected : "null";
    CHECK(text(Decimal::scale(decimal(example.value), parse_int128(example.numerator),
                              parse_int128(example.denominator))) == expected);
  }
}

TEST_CASE("compare_products is exact for any Int128 factors", "[decimal]") {
  const Int128 huge = std::numeric_limits<Int128>::max();
  const Int128 lowest = std::numeric_limits<Int128>::min();
  CHECK(compare_products(2, 3, 4, 4, 3, 2) == std::strong_ordering::equal);
  CHECK(compare_products(0, huge, huge, 0, 1, 1) == std::strong_ordering::equal);
  CHECK(compare_products(0, huge, huge, -1, 1, 1) == std::strong_ordering::greater);
  CHECK(compare_products(-1, 1, 1, 0, huge, 5) == std::strong_ordering::less);
  CHECK(compare_products(huge, huge, huge, huge, huge, huge - 1) == std::strong_ordering::greater);
  CHECK(compare_products(-huge, huge, huge, -huge, huge, huge - 1) == std::strong_ordering::less);
  CHECK(compare_products(lowest, lowest, lowest, huge, huge, -huge) == std::strong_ordering::less);
  CHECK(compare_products(lowest, lowest, 1, huge, huge, 1) == std::strong_ordering::greater);
  CHECK(compare_products(lowest, -1, 1, huge, 1, 1) == std::strong_ordering::greater);
  for (const ProductCase& example : kProductCases) {
    INFO(example.x[0] << " * " << example.x[1] << " * " << example.x[2] << " vs " << example.y[0]
                      << " * " << example.y[1] << " * " << example.y[2]);
    const std::strong_ordering order = compare_products(
        parse_int128(example.x[0]), parse_int128(example.x[1]), parse_int128(example.x[2]),
        parse_int128(example.y[0]), parse_int128(example.y[1]), parse_int128(example.y[2]));
    CHECK((order < 0 ? -1 : order > 0 ? 1 : 0) == example.expected_sign);
  }
}

TEST_CASE("compare_products does not depend on the order of the factors", "[decimal]") {
  // Deterministic pseudo-random factors near the top of the Int128 range, where the
  // intermediate products carry across 128-bit words.
  std::uint64_t state = 0x9E3779B97F4A7C15u;
  const auto next = [&state] {
    state += 0x9E3779B97F4A7C15u;
    std::uint64_t mixed = state;
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9u;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBu;
    return mixed ^ (mixed >> 31);
  };
  const auto factor = [&next] {
    const Int128 high = static_cast<Int128>(next() >> 1);
    const Int128 value = (high << 64) | static_cast<Int128>(next());
    return (next() & 1) != 0 ? -value : value;
  };
  for (int round = 0; round < 500; ++round) {
    const Int128 a = factor();
    const Int128 b = factor();
    const Int128 c = factor();
    INFO("round " << round);
    CHECK(compare_products(a, b, c, b, c, a) == std::strong_ordering::equal);
    CHECK(compare_products(a, b, c, c, a, b) == std::strong_ordering::equal);
    CHECK(compare_products(a, b, c, c, b, a) == std::strong_ordering::equal);
    const Int128 smaller_c = c > 0 ? c - 1 : c + 1;
    const bool positive = (a < 0) == (b < 0);
    CHECK(compare_products(a, b, c, smaller_c, a, b) ==
          (positive == (c > 0) ? std::strong_ordering::greater : std::strong_ordering::less));
  }
}

}  // namespace rubric
