// Labels are checked the way a packer's printer and scanner see them: the PDFs go through
// poppler (pdfinfo, pdftotext, pdftoppm) and the barcodes through zbarimg. Those tools come with
// `make test` (scripts/install-deps.sh test); a missing one is a failure, not a skip.
#include "documents/labels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::documents {
namespace {

namespace fs = std::filesystem;
using nadajnik::testing::Process;
using nadajnik::testing::ProcessOptions;
using nadajnik::testing::ReadFile;
using nadajnik::testing::TempDir;

// ---- The tools -----------------------------------------------------------------------------

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::error_code ec;
    if (!dir.empty() && fs::exists(fs::path(dir) / program, ec)) return true;
  }
  return false;
}

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a tool of `package`; a missing tool fails the test with the package to install.
ToolRun Run(const TempDir& dir, std::vector<std::string> argv, const std::string& package) {
  if (!OnPath(argv[0])) {
    ADD_FAILURE() << argv[0] << " is not installed: install " << package
                  << " (scripts/install-deps.sh test, which `make test` runs)";
    return {};
  }
  const fs::path out = dir.path() / "tool.out";
  const fs::path err = dir.path() / "tool.err";
  ProcessOptions options;
  options.argv = std::move(argv);
  options.stdout_path = out;
  options.stderr_path = err;
  Process process(options);
  ToolRun run;
  run.exit_code = process.Wait(std::chrono::seconds(60)).value_or(-1);
  run.out = ReadFile(out);
  run.err = ReadFile(err);
  return run;
}

fs::path Save(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const fs::path path = dir.path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string PageText(const TempDir& dir, const fs::path& pdf, int page) {
  const auto run = Run(dir,
                       {"pdftotext", "-f", std::to_string(page), "-l", std::to_string(page), "-enc",
                        "UTF-8", pdf.string(), "-"},
                       "poppler-utils");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.out;
}

struct PdfInfo {
  int pages = 0;
  double width = 0;  // points
  double height = 0;
};

PdfInfo Info(const TempDir& dir, const fs::path& pdf) {
  const auto run = Run(dir, {"pdfinfo", pdf.string()}, "poppler-utils");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  PdfInfo info;
  std::stringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Pages:", 0) == 0) info.pages = std::stoi(line.substr(6));
    if (line.rfind("Page size:", 0) == 0) {
      std::stringstream size(line.substr(10));
      std::string x;
      size >> info.width >> x >> info.height;
    }
  }
  return info;
}

// Every Code 128 symbol zbarimg finds on `pdf`'s pages rendered at `dpi`, page by page.
std::vector<std::string> DecodeBarcodes(const TempDir& dir, const fs::path& pdf, int dpi) {
  const fs::path prefix = dir.path() / ("render" + std::to_string(dpi));
  const auto render = Run(
      dir, {"pdftoppm", "-r", std::to_string(dpi), "-gray", "-png", pdf.string(), prefix.string()},
      "poppler-utils");
  EXPECT_EQ(render.exit_code, 0) << render.err;
  std::vector<std::string> images;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind(prefix.filename().string() + "-", 0) == 0) {
      images.push_back(entry.path().string());
    }
  }
  std::sort(images.begin(), images.end());
  EXPECT_FALSE(images.empty()) << "pdftoppm rendered no page";
  std::vector<std::string> argv = {"zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable"};
  argv.insert(argv.end(), images.begin(), images.end());
  const auto scan = Run(dir, argv, "zbar-tools");
  std::vector<std::string> symbols;
  std::stringstream lines(scan.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) symbols.push_back(line);
  }
  for (const auto& image : images) fs::remove(image);
  return symbols;
}

// ---- Labels to draw ------------------------------------------------------------------------

LabelData InPostLabel() {
  LabelData l;
  l.carrier = "InPost";
  l.service = "Paczkomat, gabaryt A";
  l.tracking_number = "602677143227600116392342";
  l.reference = "ZAM-2024-000117";
  l.sender = {"Sklep Żółty Słoń", "ul. Kościuszki 7", "61-001 Poznań"};
  l.receiver = {"Zażółć Gęślą Jaźń", "ul. Świętokrzyska 12/4", "00-950 Warszawa",
                "tel. 600 700 800"};
  l.target_point = "POZ08A";
  l.cash_on_delivery = "123,45 zł";
  l.weight = "2,5 kg";
  return l;
}

LabelData DpdLabel() {
  LabelData l;
  l.carrier = "DPD Polska";
  l.service = "Kurier, paczka do Czech";
  l.tracking_number = "1000634879325U";
  l.reference = "ZAM-2024-000118";
  l.sender = {"Sklep Żółty Słoń", "61-001 Poznań"};
  l.receiver = {"Řehoř Čížek", "Náměstí Míru 15, dvůr", "591 01 Žďár nad Sázavou", "řčšžůě ŘČŠŽŮĚ"};
  l.weight = "1 kg";
  return l;
}

LabelData PocztaLabel() {
  LabelData l;
  l.carrier = "Poczta Polska";
  l.service = "Pocztex Kurier";
  l.tracking_number = "PX1234567890";
  l.reference = "ZAM-2024-000119";
  l.sender = {"Sklep Żółty Słoń", "61-001 Poznań"};
  l.receiver = {"Erdős Győző", "Fő utca 1, Hűvösvölgy", "1021 Budapest", "őű ŐŰ"};
  l.comment = "Proszę dzwonić przed doręczeniem";
  return l;
}

std::vector<LabelData> ThreeLabels() { return {InPostLabel(), DpdLabel(), PocztaLabel()}; }

// pdftotext may break a line where the layout does; compare with whitespace squeezed.
std::string Squeeze(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// ---- Code 128 ------------------------------------------------------------------------------

int Sum(const std::vector<int>& widths) { return std::accumulate(widths.begin(), widths.end(), 0); }

TEST(Code128, EncodesKnownVectorsWithTheirChecksum) {
  // "AB" in subset B: Start B (104), 'A' 33, 'B' 34, checksum (104 + 33 + 2*34) % 103 = 102.
  const auto ab = Code128Widths("AB");
  ASSERT_TRUE(ab) << ab.error().Describe();
  const std::vector<int> ab_expected = {2, 1, 1, 2, 1, 4, 1, 1, 1, 3, 2, 3, 1, 3, 1, 1,
                                        2, 3, 4, 1, 1, 1, 3, 1, 2, 3, 3, 1, 1, 1, 2};
  EXPECT_EQ(*ab, ab_expected);
  EXPECT_EQ(Sum(*ab), 4 * 11 + 13);

  // "1234" in subset C: Start C (105), 12, 34, checksum (105 + 12 + 2*34) % 103 = 82.
  const auto digits = Code128Widths("1234");
  ASSERT_TRUE(digits) << digits.error().Describe();
  const std::vector<int> digits_expected = {2, 1, 1, 2, 3, 2, 1, 1, 2, 2, 3, 2, 1, 3, 1, 1,
                                            2, 3, 1, 2, 1, 2, 4, 1, 2, 3, 3, 1, 1, 1, 2};
  EXPECT_EQ(*digits, digits_expected);
  EXPECT_EQ(Sum(*digits), 4 * 11 + 13);
}

TEST(Code128, UsesSubsetCForDigitRunsAndCountsElevenModulesPerSymbol) {
  struct Case {
    std::string text;
    int symbols;  // start, data, code switches and checksum
  };
  const std::vector<Case> cases = {
      {"602677143227600116392342", 1 + 12 + 1},   // InPost: all digits, C throughout
      {"12345", 1 + 2 + 1 + 1 + 1},               // C for 12 34, Code B, '5'
      {"ABC123456789", 1 + 4 + 1 + 4 + 1},        // 'A' 'B' 'C' '1' in B, Code C, 23 45 67 89
      {"1000634879325U", 1 + 6 + 1 + 1 + 1 + 1},  // C for 13 digits' first 12, Code B, '5' 'U'
      {"AB12CD", 1 + 6 + 1},                      // a short inner run stays in B
      {"X", 1 + 1 + 1},
  };
  for (const auto& c : cases) {
    const auto widths = Code128Widths(c.text);
    ASSERT_TRUE(widths) << c.text << ": " << widths.error().Describe();
    EXPECT_EQ(Sum(*widths), c.symbols * 11 + 13) << c.text;
    EXPECT_EQ(widths->size(), static_cast<std::size_t>(c.symbols) * 6 + 7) << c.text;
  }
}

TEST(Code128, RefusesWhatItCannotEncode) {
  EXPECT_FALSE(Code128Widths(""));
  const auto polish = Code128Widths("Zażółć");
  ASSERT_FALSE(polish);
  EXPECT_EQ(polish.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(polish.error().message.find("position 3"), std::string::npos) << polish.error().message;
  EXPECT_FALSE(Code128Widths("AB\tC"));
}

// Every subset B character and every subset C pair, read back by a scanner.
TEST(Code128, EveryCharacterDecodesWithZbar) {
  std::vector<LabelData> labels;
  std::vector<std::string> expected;
  std::string ascii;
  for (char c = 33; c < 127; ++c) ascii.push_back(c);
  for (std::size_t i = 0; i < ascii.size(); i += 16) expected.push_back(ascii.substr(i, 16));
  expected.push_back("A B");
  std::string pairs;
  for (int v = 0; v < 100; ++v) pairs += std::to_string(v / 10) + std::to_string(v % 10);
  for (std::size_t i = 0; i < pairs.size(); i += 24) expected.push_back(pairs.substr(i, 24));
  for (const auto& text : expected) {
    LabelData l = InPostLabel();
    l.tracking_number = text;
    labels.push_back(l);
  }
  const auto pdf = RenderPdfA6(labels);
  ASSERT_TRUE(pdf) << pdf.error().Describe();
  TempDir dir("labels-test");
  const auto path = Save(dir, "all.pdf", *pdf);
  EXPECT_EQ(DecodeBarcodes(dir, path, 300), expected);
}

// ---- PDF -----------------------------------------------------------------------------------

TEST(LabelsPdf, RendersOneA6PagePerLabelWithDiacriticsAndReadableBarcodes) {
  const auto pdf = RenderPdfA6(ThreeLabels());
  ASSERT_TRUE(pdf) << pdf.error().Describe();
  ASSERT_TRUE(CheckLabel(*pdf, domain::LabelFormat::kPdfA6));
  TempDir dir("labels-test");
  const auto path = Save(dir, "labels.pdf", *pdf);

  const PdfInfo info = Info(dir, path);
  EXPECT_EQ(info.pages, 3);
  EXPECT_NEAR(info.width, 105 * 72 / 25.4, 0.5) << "A6 is 105 mm wide";
  EXPECT_NEAR(info.height, 148 * 72 / 25.4, 0.5) << "A6 is 148 mm tall";

  const std::string first = Squeeze(PageText(dir, path, 1));
  for (const char* text : {"Zażółć Gęślą Jaźń", "ul. Świętokrzyska 12/4", "Sklep Żółty Słoń",
                           "POZ08A", "POBRANIE 123,45 zł", "602677143227600116392342", "InPost"}) {
    EXPECT_NE(first.find(text), std::string::npos) << text << " missing from: " << first;
  }
  const std::string second = Squeeze(PageText(dir, path, 2));
  for (const char* text : {"Řehoř Čížek", "Žďár nad Sázavou", "řčšžůě ŘČŠŽŮĚ"}) {
    EXPECT_NE(second.find(text), std::string::npos) << text << " missing from: " << second;
  }
  const std::string third = Squeeze(PageText(dir, path, 3));
  for (const char* text : {"Erdős Győző", "Fő utca 1, Hűvösvölgy", "őű ŐŰ"}) {
    EXPECT_NE(third.find(text), std::string::npos) << text << " missing from: " << third;
  }

  const std::vector<std::string> expected = {"602677143227600116392342", "1000634879325U",
                                             "PX1234567890"};
  EXPECT_EQ(DecodeBarcodes(dir, path, 300), expected);
  EXPECT_EQ(DecodeBarcodes(dir, path, 200), expected) << "a 200 dpi printer must scan too";
}

TEST(LabelsPdf, HostileTextRendersBoundedWithoutFailing) {
  LabelData l = InPostLabel();
  const std::string long_word(5000, 'W');
  std::string long_words;
  for (int i = 0; i < 500; ++i) long_words += "Brzęczyszczykiewicz ";
  l.carrier = "<script>alert('x')</script>";
  l.receiver = {long_word,
                "<b>Jan</b> 😀🚚📦 Kowalski",
                "\xff\xfe\xc5 broken \x01\x02\n\ttabs",
                long_words,
                "\u202Eodwrócony\u202C",
                "",
                "a",
                "b",
                "c",
                "d",
                "e",
                "f",
                "g"};
  l.sender = {long_words, long_words, long_words, long_words, long_words};
  l.comment = long_words;
  l.service = long_words;
  l.target_point = long_word;
  l.cash_on_delivery = long_word;
  const auto pdf = RenderPdfA6({l});
  ASSERT_TRUE(pdf) << pdf.error().Describe();
  EXPECT_LT(pdf->size(), 200u * 1024) << "bounded output";
  TempDir dir("labels-test");
  const auto path = Save(dir, "hostile.pdf", *pdf);
  EXPECT_EQ(Info(dir, path).pages, 1);
  const std::string text = Squeeze(PageText(dir, path, 1));
  EXPECT_NE(text.find("<script>alert('x')</script>"), std::string::npos) << "shown as text";
  EXPECT_NE(text.find("Kowalski"), std::string::npos);
  EXPECT_EQ(DecodeBarcodes(dir, path, 300), std::vector<std::string>{l.tracking_number})
      << "the text must not run into the barcode";
}

TEST(LabelsPdf, RefusesALabelWithoutABarcode) {
  LabelData l = InPostLabel();
  l.tracking_number.clear();
  const auto empty = RenderPdfA6({InPostLabel(), l});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.error().message.find("Label 2 of 2"), std::string::npos) << empty.error().message;
  l.tracking_number = std::string(80, 'Q');
  EXPECT_FALSE(RenderPdfA6({l})) << "too long for 0.25 mm modules";
  EXPECT_FALSE(RenderPdfA6({}));
}

// ---- ZPL -----------------------------------------------------------------------------------

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(LabelsZpl, RendersA4x6LabelAtBothResolutions) {
  for (int dpi : {203, 300}) {
    const auto zpl = RenderZpl(InPostLabel(), dpi);
    ASSERT_TRUE(zpl) << zpl.error().Describe();
    SCOPED_TRACE(*zpl);
    EXPECT_EQ(zpl->rfind("^XA", 0), 0u);
    EXPECT_EQ(zpl->substr(zpl->size() - 4), "^XZ\n");
    EXPECT_EQ(Count(*zpl, "^XZ"), 1u);
    EXPECT_NE(zpl->find("^CI28"), std::string::npos);
    EXPECT_NE(zpl->find(dpi == 203 ? "^PW812" : "^PW1200"), std::string::npos);
    EXPECT_NE(zpl->find(dpi == 203 ? "^LL1218" : "^LL1800"), std::string::npos);
    const auto bc = zpl->find("^BC");
    ASSERT_NE(bc, std::string::npos);
    EXPECT_NE(zpl->find("^FD602677143227600116392342^FS", bc), std::string::npos);
    EXPECT_NE(zpl->find("Zażółć Gęślą Jaźń"), std::string::npos) << "UTF-8 as is (^CI28)";
    EXPECT_TRUE(
        CheckLabel(*zpl, dpi == 203 ? domain::LabelFormat::kZpl203 : domain::LabelFormat::kZpl300));
  }
  // The same layout in more dots: positions scale with the resolution.
  const auto low = RenderZpl(InPostLabel(), 203);
  const auto high = RenderZpl(InPostLabel(), 300);
  ASSERT_TRUE(low && high);
  EXPECT_NE(*low, *high);
  EXPECT_FALSE(RenderZpl(InPostLabel(), 600));
}

TEST(LabelsZpl, EscapesCaretsTildesAndTheHexIndicatorInUserText) {
  LabelData l = DpdLabel();
  l.receiver = {"Anna ^XZ~JA Nowak_1", "^XA^FO0,0^GB800,800,800^FS"};
  l.comment = "~DGR:X";
  const auto zpl = RenderZpl(l, 203);
  ASSERT_TRUE(zpl) << zpl.error().Describe();
  SCOPED_TRACE(*zpl);
  EXPECT_NE(zpl->find("^FH_^FDAnna _5EXZ_7EJA Nowak_5F1^FS"), std::string::npos);
  EXPECT_EQ(Count(*zpl, "^XZ"), 1u);
  EXPECT_EQ(Count(*zpl, "^XA"), 1u);
  EXPECT_EQ(Count(*zpl, "~"), 0u);
  EXPECT_EQ(Count(*zpl, "^GB800"), 0u);
}

TEST(LabelsZpl, HostileTextStaysBounded) {
  LabelData l = InPostLabel();
  std::string long_words;
  for (int i = 0; i < 500; ++i) long_words += "Brzęczyszczykiewicz ";
  l.receiver = {std::string(5000, 'W'), long_words, "😀🚚 \xff\xfe \x01\n", "a", "b", "c", "d"};
  l.sender = {long_words, long_words, long_words, long_words, long_words};
  l.comment = long_words;
  const auto zpl = RenderZpl(l, 203);
  ASSERT_TRUE(zpl) << zpl.error().Describe();
  EXPECT_LT(zpl->size(), 6000u);
  EXPECT_EQ(zpl->find("\xff"), std::string::npos);
  EXPECT_EQ(zpl->find("\x01"), std::string::npos);
  EXPECT_EQ(Count(*zpl, "^XZ"), 1u);
}

// ---- Merge and 4-up ------------------------------------------------------------------------

TEST(DocumentsMerge, KeepsTheOrderOfDocumentsAndPages) {
  const auto first = RenderPdfA6({InPostLabel()});
  const auto second = RenderPdfA6({DpdLabel(), PocztaLabel()});
  ASSERT_TRUE(first && second);
  const auto merged = MergePdfs({*second, *first});
  ASSERT_TRUE(merged) << merged.error().Describe();
  TempDir dir("labels-test");
  const auto path = Save(dir, "merged.pdf", *merged);
  EXPECT_EQ(Info(dir, path).pages, 3);
  EXPECT_NE(Squeeze(PageText(dir, path, 1)).find("Řehoř Čížek"), std::string::npos);
  EXPECT_NE(Squeeze(PageText(dir, path, 2)).find("Erdős Győző"), std::string::npos);
  EXPECT_NE(Squeeze(PageText(dir, path, 3)).find("Zażółć Gęślą Jaźń"), std::string::npos);

  const auto bad = MergePdfs({*first, "<html>error</html>"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("PDF 2 of 2"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(MergePdfs({}));
}

TEST(DocumentsMerge, FourUpPutsFourA6LabelsOnEachA4PageInOrder) {
  std::vector<LabelData> labels;
  std::vector<std::string> trackings;
  for (int i = 0; i < 5; ++i) {
    LabelData l = i % 2 == 0 ? InPostLabel() : DpdLabel();
    l.tracking_number = "60267714322760011639234" + std::to_string(i);
    l.receiver[0] = "Odbiorca numer " + std::to_string(i + 1) + " Łódź";
    labels.push_back(l);
    trackings.push_back(l.tracking_number);
  }
  const auto a6 = RenderPdfA6(labels);
  ASSERT_TRUE(a6) << a6.error().Describe();
  const auto a4 = FourUpA4(*a6);
  ASSERT_TRUE(a4) << a4.error().Describe();
  ASSERT_TRUE(CheckLabel(*a4, domain::LabelFormat::kPdfA4));
  TempDir dir("labels-test");
  const auto path = Save(dir, "a4.pdf", *a4);
  const PdfInfo info = Info(dir, path);
  EXPECT_EQ(info.pages, 2);
  EXPECT_NEAR(info.width, 595.3, 0.5);
  EXPECT_NEAR(info.height, 841.9, 0.5);

  const std::string page1 = Squeeze(PageText(dir, path, 1));
  for (int i = 1; i <= 4; ++i) {
    EXPECT_NE(page1.find("Odbiorca numer " + std::to_string(i) + " Łódź"), std::string::npos)
        << i << " missing from: " << page1;
  }
  EXPECT_NE(Squeeze(PageText(dir, path, 2)).find("Odbiorca numer 5 Łódź"), std::string::npos);

  auto decoded = DecodeBarcodes(dir, path, 300);
  std::sort(decoded.begin(), decoded.end());
  EXPECT_EQ(decoded, trackings);
  EXPECT_FALSE(FourUpA4("not a pdf"));
}

// ---- Checking carriers' labels -------------------------------------------------------------

void ExpectRefused(std::string_view bytes, domain::LabelFormat format, std::string_view says) {
  const auto r = CheckLabel(bytes, format);
  ASSERT_FALSE(r) << "accepted: " << bytes.substr(0, 40);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
}

TEST(DocumentsCheck, RefusesPayloadsThatAreNotLabelsNamingWhatArrived) {
  using domain::LabelFormat;
  ExpectRefused("", LabelFormat::kPdfA6, "sent nothing (0 bytes)");
  ExpectRefused("", LabelFormat::kZpl203, "sent nothing (0 bytes)");
  constexpr char kZip[] = "PK\x03\x04\x14\x00\x00\x00labels/a.pdf";
  const std::string zip(kZip, sizeof kZip - 1);  // the NULs belong to the payload
  ExpectRefused(zip, LabelFormat::kPdfA6, "a ZIP archive");
  ExpectRefused(zip, LabelFormat::kZpl203, "a ZIP archive");
  ExpectRefused("<html><body>502 Bad Gateway</body></html>", LabelFormat::kPdfA6, "an HTML page");
  ExpectRefused("  <!DOCTYPE html><html>", LabelFormat::kZpl300, "an HTML page");
  ExpectRefused(R"({"error":"label_generation_failed"})", LabelFormat::kPdfA6, "a JSON document");
  ExpectRefused("<?xml version=\"1.0\"?><soap:Fault/>", LabelFormat::kPdfA6, "an XML document");

  const auto pdf = RenderPdfA6({InPostLabel()});
  ASSERT_TRUE(pdf);
  ExpectRefused(std::string_view(*pdf).substr(0, pdf->size() / 2), LabelFormat::kPdfA6,
                "truncated PDF");
  ExpectRefused(*pdf, LabelFormat::kZpl203, "a PDF document");
  ExpectRefused("%PDF-1.7\ngarbage\n%%EOF\n", LabelFormat::kPdfA6, "damaged PDF");

  ExpectRefused("^XA^FO50,50^A0N,50,50^FDHello^FS", LabelFormat::kZpl203, "doesn't end with ^XZ");
  ExpectRefused("hello", LabelFormat::kZpl203, "\"hello\"");
}

TEST(DocumentsCheck, AcceptsRealLabels) {
  using domain::LabelFormat;
  const auto pdf = RenderPdfA6({InPostLabel()});
  ASSERT_TRUE(pdf);
  EXPECT_TRUE(CheckLabel(*pdf, LabelFormat::kPdfA6));
  EXPECT_TRUE(CheckLabel("\r\n^XA^FO50,50^FDok^FS^XZ\r\n", LabelFormat::kZpl203));
  EXPECT_TRUE(CheckLabel("^XA^FDa^FS^XZ^XA^FDb^FS^XZ", LabelFormat::kZpl300));
}

}  // namespace
}  // namespace nadajnik::documents
