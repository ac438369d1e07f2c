#include "sandbox/allegro/wza_labels.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>
#include <utility>

namespace nadajnik::sandbox::allegro {

namespace {

constexpr std::pair<char32_t, std::string_view> kFolds[] = {
    {0x00A0, " "},  {0x00C1, "A"}, {0x00C4, "A"}, {0x00C9, "E"}, {0x00CD, "I"},  {0x00D3, "O"},
    {0x00D4, "O"},  {0x00D6, "O"}, {0x00DA, "U"}, {0x00DC, "U"}, {0x00DD, "Y"},  {0x00DF, "ss"},
    {0x00E1, "a"},  {0x00E4, "a"}, {0x00E9, "e"}, {0x00ED, "i"}, {0x00F3, "o"},  {0x00F4, "o"},
    {0x00F6, "o"},  {0x00FA, "u"}, {0x00FC, "u"}, {0x00FD, "y"}, {0x0104, "A"},  {0x0105, "a"},
    {0x0106, "C"},  {0x0107, "c"}, {0x010C, "C"}, {0x010D, "c"}, {0x010E, "D"},  {0x010F, "d"},
    {0x0118, "E"},  {0x0119, "e"}, {0x011A, "E"}, {0x011B, "e"}, {0x0139, "L"},  {0x013A, "l"},
    {0x013D, "L"},  {0x013E, "l"}, {0x0141, "L"}, {0x0142, "l"}, {0x0143, "N"},  {0x0144, "n"},
    {0x0147, "N"},  {0x0148, "n"}, {0x0150, "O"}, {0x0151, "o"}, {0x0154, "R"},  {0x0155, "r"},
    {0x0158, "R"},  {0x0159, "r"}, {0x015A, "S"}, {0x015B, "s"}, {0x0160, "S"},  {0x0161, "s"},
    {0x0164, "T"},  {0x0165, "t"}, {0x016E, "U"}, {0x016F, "u"}, {0x0170, "U"},  {0x0171, "u"},
    {0x0179, "Z"},  {0x017A, "z"}, {0x017B, "Z"}, {0x017C, "z"}, {0x017D, "Z"},  {0x017E, "z"},
    {0x2013, "-"},  {0x2014, "-"}, {0x2018, "'"}, {0x2019, "'"}, {0x201C, "\""}, {0x201D, "\""},
    {0x201E, "\""},
};

struct PageGeometry {
  double width;
  double height;
};

// A6 and A4 in points (1/72 inch).
constexpr PageGeometry kA6{297.64, 419.53};
constexpr PageGeometry kA4{595.28, 841.89};

std::string PdfString(std::string_view utf8) {
  std::string out = "(";
  for (char c : FoldToAscii(utf8)) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    out += c;
  }
  out += ')';
  return out;
}

// Cuts text to what fits in `width` points at `size` (Helvetica averages about half an em).
std::string Fit(std::string_view text, double width, double size) {
  const auto max_chars = static_cast<std::size_t>(width / (size * 0.52));
  std::string folded = FoldToAscii(text);
  if (folded.size() <= max_chars) return folded;
  return folded.substr(0, max_chars > 3 ? max_chars - 3 : 0) + "...";
}

class Content {
 public:
  void Text(double x, double y, bool bold, double size, std::string_view text) {
    out_ += fmt::format("BT /{} {:.1f} Tf {:.2f} {:.2f} Td {} Tj ET\n", bold ? "F2" : "F1", size, x,
                        y, PdfString(text));
  }
  void Line(double x1, double y1, double x2, double y2) {
    out_ += fmt::format("{:.2f} {:.2f} m {:.2f} {:.2f} l S\n", x1, y1, x2, y2);
  }
  void Raw(std::string_view ops) { out_ += ops; }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// One label in an A6-sized box whose bottom-left corner is the origin.
void DrawLabel(Content& c, const LabelPage& label) {
  const double w = kA6.width;
  const double h = kA6.height;
  const double left = 16;
  const double text_width = w - 2 * left;
  c.Raw("0.8 w\n");
  c.Raw(fmt::format("10 10 {:.2f} {:.2f} re S\n", w - 20, h - 20));
  double y = h - 32;
  c.Text(left, y, true, 12, Fit(label.carrier_id + " | " + label.service_name, text_width, 12));
  y -= 10;
  c.Line(10, y, w - 10, y);
  y -= 12;
  c.Text(left, y, true, 7, "NADAWCA / SENDER");
  for (const auto& line : label.sender) {
    y -= 10;
    c.Text(left, y, false, 8, Fit(line, text_width, 8));
  }
  y -= 8;
  c.Line(10, y, w - 10, y);
  y -= 13;
  c.Text(left, y, true, 7, "ODBIORCA / RECEIVER");
  bool first = true;
  for (const auto& line : label.receiver) {
    y -= first ? 14 : 12;
    c.Text(left, y, first, first ? 11 : 9, Fit(line, text_width, first ? 11 : 9));
    first = false;
  }
  if (!label.point.empty()) {
    y -= 18;
    c.Text(left, y, true, 14, Fit("PUNKT: " + label.point, text_width, 14));
  }
  y -= 10;
  c.Line(10, y, w - 10, y);
  y -= 26;
  c.Text(left, y, true, 18, Fit(label.waybill, text_width, 18));
  y -= 12;
  c.Text(left, y, false, 7, "NUMER PRZESYLKI / WAYBILL");
  y -= 18;
  c.Text(left, y, false, 8, Fit(label.package, text_width, 8));
  if (!label.cash_on_delivery.empty()) {
    y -= 14;
    c.Text(left, y, true, 11, Fit("POBRANIE / COD: " + label.cash_on_delivery, text_width, 11));
  }
  if (!label.reference.empty()) {
    y -= 12;
    c.Text(left, y, false, 8, Fit("Ref: " + label.reference, text_width, 8));
  }
  if (!label.text_on_label.empty()) {
    y -= 12;
    c.Text(left, y, false, 8, Fit(label.text_on_label, text_width, 8));
  }
  c.Text(left, 18, false, 7, Fit("Allegro sandbox label - " + label.created, text_width, 7));
}

void DrawSummary(Content& c, const SummaryPage& summary, const PageGeometry& page) {
  const double left = 28;
  const double width = page.width - 2 * left;
  double y = page.height - 40;
  c.Text(left, y, true, 13, Fit(summary.title, width, 13));
  y -= 8;
  c.Raw("0.6 w\n");
  c.Line(left, y, page.width - left, y);
  for (std::size_t i = 0; i < summary.lines.size(); ++i) {
    y -= 11;
    if (y < 30) {
      c.Text(left, y, false, 8, fmt::format("... and {} more lines", summary.lines.size() - i));
      break;
    }
    c.Text(left, y, false, 8, Fit(summary.lines[i], width, 8));
  }
}

std::string PageContent(const LabelDocumentPage& page, LabelPageSize size, bool cut_line) {
  const PageGeometry& geometry = size == LabelPageSize::kA4 ? kA4 : kA6;
  Content c;
  if (const auto* summary = std::get_if<SummaryPage>(&page)) {
    DrawSummary(c, *summary, geometry);
    return c.str();
  }
  const auto& label = std::get<LabelPage>(page);
  if (size == LabelPageSize::kA6) {
    DrawLabel(c, label);
    return c.str();
  }
  c.Raw(fmt::format("q 1 0 0 1 0 {:.2f} cm\n", kA4.height - kA6.height));
  DrawLabel(c, label);
  c.Raw("Q\n");
  if (cut_line) {
    c.Raw("q 0.5 w [4 3] 0 d\n");
    c.Line(kA6.width, kA4.height - kA6.height, kA6.width, kA4.height);
    c.Line(0, kA4.height - kA6.height, kA6.width, kA4.height - kA6.height);
    c.Raw("Q\n");
  }
  return c.str();
}

std::string ZplField(std::string_view utf8) {
  std::string out(utf8);
  for (char& c : out) {
    if (c == '^' || c == '~' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string FoldToAscii(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    const int extra = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
    char32_t cp = extra == 3 ? (b & 0x07) : extra == 2 ? (b & 0x0F) : (b & 0x1F);
    bool valid = extra > 0 && i + static_cast<std::size_t>(extra) < utf8.size();
    for (int k = 1; valid && k <= extra; ++k) {
      const auto cont = static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]);
      if ((cont & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    i += static_cast<std::size_t>(extra) + 1;
    std::string_view folded = "?";
    for (const auto& [from, to] : kFolds) {
      if (from == cp) {
        folded = to;
        break;
      }
    }
    out += folded;
  }
  return out;
}

std::string RenderLabelPdf(const std::vector<LabelDocumentPage>& pages, LabelPageSize size,
                           bool cut_line) {
  const PageGeometry& geometry = size == LabelPageSize::kA4 ? kA4 : kA6;
  std::vector<std::string> objects;  // object i+1, without "N 0 obj" / "endobj"
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    kids += fmt::format("{}{} 0 R", i ? " " : "", 5 + 2 * i);
  }
  objects.push_back(fmt::format("<< /Type /Pages /Kids [{}] /Count {} >>", kids, pages.size()));
  objects.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  objects.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  for (std::size_t i = 0; i < pages.size(); ++i) {
    objects.push_back(fmt::format(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2f} {:.2f}] /Resources << /Font << /F1 "
        "3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
        geometry.width, geometry.height, 6 + 2 * i));
    const std::string content = PageContent(pages[i], size, cut_line);
    objects.push_back(
        fmt::format("<< /Length {} >>\nstream\n{}endstream", content.size(), content));
  }
  // The binary comment line tells transfer tools the file is not text.
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += fmt::format("{} 0 obj\n{}\nendobj\n", i + 1, objects[i]);
  }
  const std::size_t xref = pdf.size();
  pdf += fmt::format("xref\n0 {}\n0000000000 65535 f \n", objects.size() + 1);
  for (std::size_t offset : offsets) pdf += fmt::format("{:010} 00000 n \n", offset);
  pdf += fmt::format("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                     objects.size() + 1, xref);
  return pdf;
}

std::string RenderLabelZpl(const std::vector<LabelPage>& labels) {
  std::string zpl;
  for (const auto& label : labels) {
    zpl += "^XA\n^CI28\n^PW812\n^LL1218\n";
    int y = 30;
    auto text = [&](int height, std::string_view value, int step) {
      zpl += fmt::format("^FO30,{}^A0N,{},{}^FD{}^FS\n", y, height, height, ZplField(value));
      y += step;
    };
    text(36, label.carrier_id + " | " + label.service_name, 50);
    zpl += fmt::format("^FO20,{}^GB772,3,3^FS\n", y);
    y += 14;
    text(22, "NADAWCA / SENDER", 28);
    for (const auto& line : label.sender) text(24, line, 28);
    zpl += fmt::format("^FO20,{}^GB772,3,3^FS\n", y);
    y += 14;
    text(22, "ODBIORCA / RECEIVER", 30);
    bool first = true;
    for (const auto& line : label.receiver) {
      text(first ? 34 : 28, line, first ? 40 : 32);
      first = false;
    }
    if (!label.point.empty()) text(44, "PUNKT: " + label.point, 56);
    zpl += fmt::format("^FO20,{}^GB772,3,3^FS\n", y);
    y += 24;
    zpl += fmt::format("^FO60,{}^BY3^BCN,160,Y,N,N^FD{}^FS\n", y, ZplField(label.waybill));
    y += 220;
    text(26, label.package, 34);
    if (!label.cash_on_delivery.empty()) text(34, "POBRANIE / COD: " + label.cash_on_delivery, 42);
    if (!label.reference.empty()) text(24, "Ref: " + label.reference, 30);
    if (!label.text_on_label.empty()) text(24, label.text_on_label, 30);
    zpl += fmt::format("^FO30,1170^A0N,20,20^FDAllegro sandbox label - {}^FS\n",
                       ZplField(label.created));
    zpl += "^XZ\n";
  }
  return zpl;
}

}  // namespace nadajnik::sandbox::allegro
