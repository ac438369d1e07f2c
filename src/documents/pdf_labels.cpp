// A6 labels drawn with cairo into one PDF. Fonts are DejaVu Sans (fonts-dejavu-core) loaded
// from their files through FreeType, not looked up through fontconfig, so a label looks the
// same on every machine and a missing font is an error rather than a silent substitute.
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <bitset>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/label_text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

constexpr const char* kRegularPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kBoldPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kPageWidth = 105.0 * kPointsPerMm;
constexpr double kPageHeight = 148.0 * kPointsPerMm;
constexpr double kMargin = 4.0 * kPointsPerMm;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;

// The barcode: modules of 0.25..0.5 mm (at 0.25 mm a 200 dpi rendering still has two pixels per
// module), bars 22 mm tall, ten modules of quiet zone each side, which may use the page margin.
constexpr double kMaxModule = 0.5 * kPointsPerMm;
constexpr double kMinModule = 0.25 * kPointsPerMm;
constexpr int kQuietModules = 10;
constexpr double kBarcodeWidth = kPageWidth - 2 * 2.0 * kPointsPerMm;
constexpr double kBarHeight = 22.0 * kPointsPerMm;
constexpr double kHumanReadableSize = 11.0;
// Where the text blocks must stop: above the barcode and its human-readable line.
constexpr double kBarcodeTop = kPageHeight - kMargin - kHumanReadableSize - 3.0 - kBarHeight;
constexpr double kTextBottom = kBarcodeTop - 3.0 * kPointsPerMm;

// Per-field bounds of untrusted text, in characters, before it is wrapped to the page.
constexpr std::size_t kMaxFieldChars = 200;
constexpr std::size_t kMaxAddressLines = 8;

struct Fonts {
  cairo_font_face_t* regular = nullptr;
  cairo_font_face_t* bold = nullptr;
  // BMP characters both faces have a glyph for; others print as '?' rather than as tofu.
  std::bitset<0x10000> coverage;
  std::string error;
};

FT_Face LoadFace(FT_Library library, const char* path, std::bitset<0x10000>& coverage, bool first) {
  FT_Face face = nullptr;
  if (FT_New_Face(library, path, 0, &face) != 0) return nullptr;
  std::bitset<0x10000> mine;
  FT_UInt glyph = 0;
  for (FT_ULong cp = FT_Get_First_Char(face, &glyph); glyph != 0;
       cp = FT_Get_Next_Char(face, cp, &glyph)) {
    if (cp < 0x10000) mine.set(cp);
  }
  coverage = first ? mine : (coverage & mine);
  return face;
}

// Loaded once and kept for the life of the process: cairo serialises its use of each FT_Face,
// and FreeType allows one library to serve faces on many threads once they are created.
const Fonts& GetFonts() {
  static const Fonts fonts = [] {
    Fonts f;
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) {
      f.error = "FreeType could not start";
      return f;
    }
    FT_Face regular = LoadFace(library, kRegularPath, f.coverage, true);
    FT_Face bold = regular ? LoadFace(library, kBoldPath, f.coverage, false) : nullptr;
    if (regular == nullptr || bold == nullptr) {
      f.error = fmt::format("the DejaVu Sans fonts ({}, {}) could not be loaded", kRegularPath,
                            kBoldPath);
      return f;
    }
    f.regular = cairo_ft_font_face_create_for_ft_face(regular, 0);
    f.bold = cairo_ft_font_face_create_for_ft_face(bold, 0);
    return f;
  }();
  return fonts;
}

std::string Clean(std::string_view text, const Fonts& fonts,
                  std::size_t max_chars = kMaxFieldChars) {
  return CleanLabelText(text, max_chars,
                        [&](char32_t cp) { return cp < 0x10000 && fonts.coverage.test(cp); });
}

double TextWidth(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

// Byte offsets just after each UTF-8 character of `s` (s is clean UTF-8).
std::vector<std::size_t> CharEnds(std::string_view s) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 0; i < s.size();) {
    NextCodePoint(s, i);
    ends.push_back(i);
  }
  return ends;
}

// The longest prefix of `s` (whole characters) no wider than `width`; at least one character.
std::size_t FittingPrefix(cairo_t* cr, std::string_view s, double width,
                          std::string_view suffix = {}) {
  const auto ends = CharEnds(s);
  std::size_t lo = 1;
  std::size_t hi = ends.size();
  while (lo < hi) {  // binary search over the number of characters
    const std::size_t mid = (lo + hi + 1) / 2;
    std::string candidate(s.substr(0, ends[mid - 1]));
    candidate += suffix;
    if (TextWidth(cr, candidate) <= width) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return ends.empty() ? 0 : ends[lo - 1];
}

// `text` wrapped at spaces to `width` (a word wider than a line is broken between characters),
// at most `max_lines` lines; the last one ends with "…" when text was left over. Uses the
// context's current font.
std::vector<std::string> Wrap(cairo_t* cr, std::string_view text, double width,
                              std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string rest(text);
  while (!rest.empty() && lines.size() < max_lines) {
    if (TextWidth(cr, rest) <= width) {
      lines.push_back(rest);
      rest.clear();
      break;
    }
    std::size_t cut = FittingPrefix(cr, rest, width);
    const std::size_t space = rest.rfind(' ', cut);
    std::size_t next = cut;
    if (cut < rest.size() && rest[cut] == ' ') {
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
    const std::size_t keep = FittingPrefix(cr, last, width, "…");
    last.resize(keep);
    while (!last.empty() && last.back() == ' ') last.pop_back();
    last += "…";
  }
  return lines;
}

class Page {
 public:
  Page(cairo_t* cr, const Fonts& fonts) : cr_(cr), fonts_(fonts) {}

  double y() const { return y_; }
  void Skip(double points) { y_ += points; }

  // Draws `text` wrapped to the text width, stopping above the barcode; returns lines drawn.
  std::size_t Text(std::string_view text, double size, bool bold, std::size_t max_lines,
                   double x = kMargin, double width = kTextWidth) {
    if (text.empty()) return 0;
    cairo_set_font_face(cr_, bold ? fonts_.bold : fonts_.regular);
    cairo_set_font_size(cr_, size);
    const double line_height = size * 1.22;
    std::size_t drawn = 0;
    for (const std::string& line : Wrap(cr_, text, width, max_lines)) {
      if (y_ + line_height > kTextBottom) break;
      cairo_move_to(cr_, x, y_ + size);
      cairo_show_text(cr_, line.c_str());
      y_ += line_height;
      ++drawn;
    }
    return drawn;
  }

  void Caption(std::string_view caption) {
    if (y_ + 10 > kTextBottom) return;
    Text(caption, 7, true, 1);
    y_ += 1;
  }

  void Rule() {
    if (y_ + 4 > kTextBottom) return;
    y_ += 2;
    cairo_set_line_width(cr_, 0.8);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kPageWidth - kMargin, y_);
    cairo_stroke(cr_);
    y_ += 3;
  }

  // White text on a black band: cash on delivery must not be missed.
  void Banner(std::string_view text, double size) {
    const double height = size * 1.6;
    if (y_ + height > kTextBottom) return;
    cairo_rectangle(cr_, kMargin, y_, kTextWidth, height);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    const double saved = y_;
    y_ += size * 0.3;
    Text(text, size, true, 1, kMargin + 4, kTextWidth - 8);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ = saved + height + 3;
  }

 private:
  cairo_t* cr_;
  const Fonts& fonts_;
  double y_ = kMargin;
};

struct Barcode {
  std::vector<int> widths;
  double module = 0;
};

Result<Barcode> PlanBarcode(const std::string& tracking_number) {
  NADAJNIK_ASSIGN_OR_RETURN(std::vector<int> widths, Code128Widths(tracking_number));
  int modules = 2 * kQuietModules;
  for (int w : widths) modules += w;
  const double module = std::min(kMaxModule, kBarcodeWidth / modules);
  if (module < kMinModule) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The tracking number {} is too long for a readable Code 128 barcode "
                            "on an A6 label ({} modules)",
                            TruncateUtf8(tracking_number, 40), modules - 2 * kQuietModules));
  }
  return Barcode{std::move(widths), module};
}

void DrawBarcode(cairo_t* cr, const Fonts& fonts, const Barcode& barcode,
                 const std::string& tracking_number) {
  double total = 0;
  for (int w : barcode.widths) total += w * barcode.module;
  double x = (kPageWidth - total) / 2;
  bool bar = true;
  for (int w : barcode.widths) {
    if (bar) cairo_rectangle(cr, x, kBarcodeTop, w * barcode.module, kBarHeight);
    x += w * barcode.module;
    bar = !bar;
  }
  cairo_fill(cr);

  cairo_set_font_face(cr, fonts.bold);
  cairo_set_font_size(cr, kHumanReadableSize);
  const double width = TextWidth(cr, tracking_number);
  cairo_move_to(cr, (kPageWidth - width) / 2, kBarcodeTop + kBarHeight + 2 + kHumanReadableSize);
  cairo_show_text(cr, tracking_number.c_str());
}

void DrawLabel(cairo_t* cr, const Fonts& fonts, const LabelData& label, const Barcode& barcode) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  Page page(cr, fonts);
  page.Text(Clean(label.carrier, fonts), 18, true, 1);
  page.Text(Clean(label.service, fonts), 10, false, 2);
  page.Rule();

  if (!label.target_point.empty()) {
    page.Caption("PUNKT DOCELOWY");
    page.Text(Clean(label.target_point, fonts, 40), 26, true, 1);
    page.Skip(2);
  }
  if (!label.cash_on_delivery.empty()) {
    page.Banner("POBRANIE " + Clean(label.cash_on_delivery, fonts, 40), 13);
  }

  page.Caption("ODBIORCA");
  std::size_t lines = 0;
  for (std::size_t i = 0; i < label.receiver.size() && lines < kMaxAddressLines; ++i) {
    const std::string line = Clean(label.receiver[i], fonts);
    lines += page.Text(line, i == 0 ? 12 : 11, i == 0,
                       std::min<std::size_t>(2, kMaxAddressLines - lines));
  }
  page.Skip(3);

  page.Caption("NADAWCA");
  lines = 0;
  for (std::size_t i = 0; i < label.sender.size() && lines < 4; ++i) {
    lines += page.Text(Clean(label.sender[i], fonts), 8, false, 4 - lines);
  }
  page.Rule();

  std::string facts;
  if (!label.reference.empty()) facts += "Nr zamówienia: " + Clean(label.reference, fonts, 60);
  if (!label.weight.empty()) {
    if (!facts.empty()) facts += "   ";
    facts += "Waga: " + Clean(label.weight, fonts, 20);
  }
  page.Text(facts, 8, false, 2);
  if (!label.comment.empty()) page.Text("Uwagi: " + Clean(label.comment, fonts), 8, false, 2);

  DrawBarcode(cr, fonts, barcode, label.tracking_number);
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Result<std::string> RenderPdfA6(const std::vector<LabelData>& labels) {
  if (labels.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "No labels to render: the list of labels is empty");
  }
  const Fonts& fonts = GetFonts();
  if (!fonts.error.empty()) {
    return Fail(ErrorCode::kInternal, "Labels can't be rendered: " + fonts.error +
                                          "; install fonts-dejavu-core (scripts/install-deps.sh)");
  }
  std::vector<Barcode> barcodes;
  barcodes.reserve(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto barcode = PlanBarcode(labels[i].tracking_number);
    if (!barcode) {
      Error e = std::move(barcode).error();
      e.message = fmt::format("Label {} of {}: {}", i + 1, labels.size(), e.message);
      return Fail(std::move(e));
    }
    barcodes.push_back(std::move(*barcode));
  }

  std::string pdf;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight),
      cairo_surface_destroy);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Nadajnik");
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    DrawLabel(cr.get(), fonts, labels[i], barcodes[i]);
    cairo_show_page(cr.get());
  }
  const cairo_status_t drawing = cairo_status(cr.get());
  cr.reset();
  cairo_surface_finish(surface.get());
  const cairo_status_t finishing = cairo_surface_status(surface.get());
  const cairo_status_t status = drawing != CAIRO_STATUS_SUCCESS ? drawing : finishing;
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(ErrorCode::kInternal, "The label PDF could not be drawn: try again or report it",
                fmt::format("cairo: {}", cairo_status_to_string(status)));
  }
  return pdf;
}

}  // namespace nadajnik::documents
