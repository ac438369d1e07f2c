// Shipping labels and documents, rendered and checked in-house (shared/style.md: cairo for PDF,
// qpdf for merging and 4-up, Code 128 and ZPL in-house, DejaVu fonts for Polish, Czech and
// Hungarian letters). Pure functions: bytes in, bytes out; no files, no network. Thread-safe.
//
// Errors: kInvalidArgument when the input can't make a label (no tracking number, a character
// Code 128 can't encode, a PDF that isn't one), kInternal when the PDF library fails.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::documents {

// What a label shows. Texts are UTF-8 and untrusted (buyer names): rendered as text, bounded.
struct LabelData {
  std::string carrier;                // "InPost"
  std::string service;                // "Paczkomat, gabaryt A"
  std::string tracking_number;        // the Code 128 barcode and its human-readable line
  std::string reference;              // the order's number / checkout form id
  std::vector<std::string> sender;    // address lines
  std::vector<std::string> receiver;  // address lines (name first)
  std::string target_point;           // "POZ08A" for locker / point services
  std::string cash_on_delivery;       // "123,45 zł", empty when none
  std::string weight;                 // "2,5 kg"
  std::string comment;
};

// Code 128 (subset B, switching to C for long digit runs), with start, checksum and stop:
// module widths (bar, space, bar, ...) in units of the narrowest module.
Result<std::vector<int>> Code128Widths(std::string_view text);

// PDF, one A6 label (105 x 148 mm) per page, in order.
Result<std::string> RenderPdfA6(const std::vector<LabelData>& labels);
// ZPL II for a 4 x 6 inch thermal label at 203 or 300 dpi, UTF-8 (^CI28).
Result<std::string> RenderZpl(const LabelData& label, int dpi);

// One PDF of every page of `pdfs`, in order.
Result<std::string> MergePdfs(const std::vector<std::string>& pdfs);
// A4 pages holding four A6 pages each (2 x 2), in order.
Result<std::string> FourUpA4(const std::string& pdf);

// A label from a carrier is checked before it is stored or served: a PDF must be a PDF with at
// least one page; ZPL must start with ^XA and end with ^XZ; an empty, zip or HTML payload is an
// error naming what arrived.
Result<void> CheckLabel(std::string_view bytes, domain::LabelFormat format);

}  // namespace nadajnik::documents
