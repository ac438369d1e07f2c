// Code 128: subset B for text, subset C for digit runs long enough to save symbols (ISO/IEC
// 15417 Annex E's rules: C at the start for 4+ digits or an all-digit even text, C for 4+
// trailing or 6+ inner digits, an odd run leaving its first digit in B).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

// Bar/space widths of symbol values 0..105 (103 Start A, 104 Start B, 105 Start C); the stop
// symbol has seven elements.
constexpr std::array<std::string_view, 106> kPatterns = {
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232"};
constexpr std::string_view kStop = "2331112";

constexpr int kStartB = 104;
constexpr int kStartC = 105;
constexpr int kCodeB = 100;  // switch to B (in C)
constexpr int kCodeC = 99;   // switch to C (in B)

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::size_t DigitRun(std::string_view text, std::size_t from) {
  std::size_t n = 0;
  while (from + n < text.size() && IsDigit(text[from + n])) ++n;
  return n;
}

}  // namespace

Result<std::vector<int>> Code128Widths(std::string_view text) {
  if (text.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "The tracking number is empty: a Code 128 barcode needs at least one character");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 32 || c > 126) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("The tracking number has a character Code 128 can't encode (byte "
                              "0x{:02X} at position {}): use printable ASCII only",
                              c, i + 1));
    }
  }

  std::vector<int> values;
  values.reserve(text.size() + 4);
  bool in_c = false;
  std::size_t i = 0;
  const std::size_t lead = DigitRun(text, 0);
  if (lead >= 4 || (lead == text.size() && lead % 2 == 0)) {
    values.push_back(kStartC);
    in_c = true;
  } else {
    values.push_back(kStartB);
  }
  while (i < text.size()) {
    if (in_c) {
      if (DigitRun(text, i) >= 2) {
        values.push_back((text[i] - '0') * 10 + (text[i + 1] - '0'));
        i += 2;
        continue;
      }
      values.push_back(kCodeB);
      in_c = false;
      continue;
    }
    const std::size_t run = DigitRun(text, i);
    const bool at_end = i + run == text.size();
    if (run >= 6 || (at_end && run >= 4)) {
      if (run % 2 == 1) {  // the odd digit stays in B, the rest pair up in C
        values.push_back(text[i] - 32);
        ++i;
      }
      values.push_back(kCodeC);
      in_c = true;
      continue;
    }
    values.push_back(text[i] - 32);
    ++i;
  }
  int checksum = values[0];
  for (std::size_t k = 1; k < values.size(); ++k) {
    checksum += static_cast<int>(k) * values[k];
  }
  values.push_back(checksum % 103);

  std::vector<int> widths;
  widths.reserve(values.size() * 6 + kStop.size());
  for (int v : values) {
    for (char w : kPatterns[static_cast<std::size_t>(v)]) widths.push_back(w - '0');
  }
  for (char w : kStop) widths.push_back(w - '0');
  return widths;
}

}  // namespace nadajnik::documents
