// Label documents of the sandbox's Ship with Allegro (shared/reference/allegro-api.md
// section 5.4): what POST /shipment-management/label answers, in the format fixed when the
// shipment was created.
//
//   - PDF: a small PDF 1.4 file written by hand (Helvetica, no images, a correct xref table),
//     one page per package, A6 (105 x 148 mm) or A4 with the label in the top-left quarter and
//     optional dashed cut lines; summary pages as the request's summaryReport asks. Text is
//     folded to ASCII (the standard fonts have no Polish or Czech letters).
//   - ZPL II: one ^XA...^XZ block per package for a 4 x 6 inch label at 203 dpi, UTF-8 (^CI28),
//     with the waybill as a Code 128 barcode (^BC, drawn by the printer).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace nadajnik::sandbox::allegro {

struct LabelPage {
  std::string waybill;
  std::string carrier_id;
  std::string service_name;
  std::vector<std::string> sender;    // name, street, postal code and city, phone
  std::vector<std::string> receiver;  // the same
  std::string point;                  // pickup point id; empty for door delivery
  std::string package;                // "1/2  PACKAGE  30x20x10 cm  1.2 kg"
  std::string reference;              // referenceNumber; may be empty
  std::string text_on_label;
  std::string cash_on_delivery;  // "138.44 PLN"; empty: none
  std::string created;           // "2024-01-10"
};

struct SummaryPage {
  std::string title;
  std::vector<std::string> lines;
};

using LabelDocumentPage = std::variant<LabelPage, SummaryPage>;

enum class LabelPageSize { kA6, kA4 };

std::string RenderLabelPdf(const std::vector<LabelDocumentPage>& pages, LabelPageSize size,
                           bool cut_line);
// Summary pages are not part of a ZPL document (printers print labels only).
std::string RenderLabelZpl(const std::vector<LabelPage>& labels);

// "Łódź" -> "Lodz": Polish, Czech, Slovak and Hungarian letters to ASCII, other characters
// outside ASCII to '?'.
std::string FoldToAscii(std::string_view utf8);

}  // namespace nadajnik::sandbox::allegro
