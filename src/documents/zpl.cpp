// ZPL II for a 4 x 6 inch label. The layout is in millimetres and converted to dots for the
// printer's resolution, so one layout serves 203 and 300 dpi. User text goes only into ^FD
// fields behind ^FH, with '^', '~' and the hex indicator '_' written as hex escapes: a buyer
// named "^XZ" can't end the label or inject commands.
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/label_text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

constexpr double kWidthMm = 101.6;
constexpr double kMarginMm = 4.0;
constexpr std::size_t kMaxFieldChars = 200;
constexpr int kQuietModules = 10;

// Scalable font 0 with ^CI28 has Latin, Greek and Cyrillic; other characters print as '?'.
bool PrintableOnZebra(char32_t cp) {
  return cp < 0x0530 || (cp >= 0x1E00 && cp < 0x1F00) || (cp >= 0x2010 && cp <= 0x2027) ||
         cp == 0x20AC;
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '^':
        out += "_5E";
        break;
      case '~':
        out += "_7E";
        break;
      case '_':
        out += "_5F";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::size_t CountChars(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    NextCodePoint(s, i);
    ++n;
  }
  return n;
}

// Byte offset after the first `chars` characters of s.
std::size_t CharOffset(std::string_view s, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; n < chars && i < s.size(); ++n) NextCodePoint(s, i);
  return i;
}

// Wraps at spaces to `per_line` characters (breaking long words), at most `max_lines` lines,
// the last ending with "…" when text was left over. Font 0 is proportional: `per_line` comes
// from a wide average glyph, so a line rarely overruns.
std::vector<std::string> WrapChars(std::string_view text, std::size_t per_line,
                                   std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string rest(text);
  while (!rest.empty() && lines.size() < max_lines) {
    if (CountChars(rest) <= per_line) {
      lines.push_back(rest);
      rest.clear();
      break;
    }
    std::size_t cut = CharOffset(rest, per_line);
    std::size_t next = cut;
    const std::size_t space = rest.rfind(' ', cut);
    if (rest[cut] == ' ') {
      next = cut + 1;
    } else if (space != std::string::npos && space > 0) {
      cut = space;
      next = space + 1;
    }
    lines.push_back(rest.substr(0, cut));
    rest.erase(0, next);
  }
  if (!rest.empty() && !lines.empty()) {
    std::string& last = lines.back();
    const std::size_t n = CountChars(last);
    if (n >= per_line) last.resize(CharOffset(last, per_line - 1));
    last += "…";
  }
  return lines;
}

class ZplWriter {
 public:
  explicit ZplWriter(int dpi) : dpi_(dpi) {}

  int Dots(double mm) const { return static_cast<int>(std::lround(mm * dpi_ / 25.4)); }

  // Text `height_mm` tall wrapped to the printable width, at the cursor; returns lines written.
  std::size_t Text(std::string_view text, double height_mm, std::size_t max_lines,
                   bool reverse = false) {
    if (text.empty()) return 0;
    const int h = Dots(height_mm);
    const int width = Dots(kWidthMm - 2 * kMarginMm);
    const auto per_line = static_cast<std::size_t>(std::max(1.0, width / (0.62 * h)));
    std::size_t n = 0;
    for (const std::string& line : WrapChars(text, per_line, max_lines)) {
      if (y_ + h > bottom_) break;
      out_ += fmt::format("^FO{},{}^A0N,{},{}{}^FH_^FD{}^FS\n", Dots(kMarginMm) + (reverse ? 8 : 0),
                          y_, h, h, reverse ? "^FR" : "", Escape(line));
      y_ += static_cast<int>(h * 1.2);
      ++n;
    }
    return n;
  }

  void Skip(double mm) { y_ += Dots(mm); }

  void Rule() {
    Skip(1);
    out_ += fmt::format("^FO{},{}^GB{},{},{}^FS\n", Dots(kMarginMm), y_,
                        Dots(kWidthMm - 2 * kMarginMm), 2, 2);
    Skip(2);
  }

  void Banner(std::string_view text, double height_mm) {
    const int box = Dots(height_mm * 1.5);
    if (y_ + box > bottom_) return;
    out_ += fmt::format("^FO{},{}^GB{},{},{}^FS\n", Dots(kMarginMm), y_,
                        Dots(kWidthMm - 2 * kMarginMm), box, box);
    const int top = y_;
    y_ += Dots(height_mm * 0.25);
    Text(text, height_mm, 1, true);
    y_ = top + box + Dots(2);
  }

  std::string& out() { return out_; }
  void set_y(int y) { y_ = y; }
  // Text stops above this line (the barcode's top).
  void set_bottom(int bottom) { bottom_ = bottom; }

 private:
  int dpi_;
  int y_ = 0;
  int bottom_ = 0;
  std::string out_;
};

}  // namespace

Result<std::string> RenderZpl(const LabelData& label, int dpi) {
  if (dpi != 203 && dpi != 300) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("ZPL labels are made for 203 or 300 dpi printers, not {} dpi: choose "
                            "the printer's resolution in Settings > Printing",
                            dpi));
  }
  NADAJNIK_ASSIGN_OR_RETURN(std::vector<int> widths, Code128Widths(label.tracking_number));
  int modules = 2 * kQuietModules;
  for (int w : widths) modules += w;

  const int page_width = 4 * dpi;
  const int page_height = 6 * dpi;
  // Module of 0.25..0.5 mm: 2..4 dots at 203 dpi, 3..6 at 300 dpi.
  const int min_module = dpi == 203 ? 2 : 3;
  int module = dpi == 203 ? 4 : 6;
  while (module > min_module && modules * module > page_width) --module;
  if (modules * module > page_width) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The tracking number {} is too long for a readable Code 128 barcode "
                            "on a 4 x 6 in label",
                            TruncateUtf8(label.tracking_number, 40)));
  }

  auto clean = [](std::string_view text, std::size_t max = kMaxFieldChars) {
    return CleanLabelText(text, max, PrintableOnZebra);
  };
  ZplWriter z(dpi);
  // The barcode sits at a fixed place near the bottom, above its human-readable line.
  const int bar_height = z.Dots(25);
  const int barcode_top = page_height - z.Dots(kMarginMm) - z.Dots(4) - bar_height;
  z.set_bottom(barcode_top - z.Dots(2));
  std::string& out = z.out();
  out += fmt::format("^XA\n^CI28\n^PW{}\n^LL{}\n^LH0,0\n", page_width, page_height);
  z.set_y(z.Dots(kMarginMm));
  z.Text(clean(label.carrier), 7, 1);
  z.Text(clean(label.service), 4, 2);
  z.Rule();
  if (!label.target_point.empty()) {
    z.Text("PUNKT DOCELOWY", 2.5, 1);
    z.Text(clean(label.target_point, 40), 10, 1);
  }
  if (!label.cash_on_delivery.empty()) {
    z.Banner("POBRANIE " + clean(label.cash_on_delivery, 40), 5);
  }
  z.Text("ODBIORCA", 2.5, 1);
  std::size_t lines = 0;
  for (std::size_t i = 0; i < label.receiver.size() && lines < 7; ++i) {
    lines +=
        z.Text(clean(label.receiver[i]), i == 0 ? 4.5 : 4, std::min<std::size_t>(2, 7 - lines));
  }
  z.Skip(1);
  z.Text("NADAWCA", 2.5, 1);
  lines = 0;
  for (std::size_t i = 0; i < label.sender.size() && lines < 4; ++i) {
    lines += z.Text(clean(label.sender[i]), 3, 4 - lines);
  }
  z.Rule();
  std::string facts;
  if (!label.reference.empty()) facts += "Nr zamówienia: " + clean(label.reference, 60);
  if (!label.weight.empty()) {
    if (!facts.empty()) facts += "   ";
    facts += "Waga: " + clean(label.weight, 20);
  }
  z.Text(facts, 3, 2);
  if (!label.comment.empty()) z.Text("Uwagi: " + clean(label.comment), 3, 2);

  // Mode A lets the printer switch to subset C for digit runs, as Code128Widths does.
  const int x = (page_width - (modules - 2 * kQuietModules) * module) / 2;
  out += fmt::format("^FO{},{}^BY{}^BCN,{},Y,N,N,A^FH_^FD{}^FS\n", x, barcode_top, module,
                     bar_height, Escape(label.tracking_number));
  out += "^XZ\n";
  return out;
}

}  // namespace nadajnik::documents
