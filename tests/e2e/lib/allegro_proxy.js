// A man in the middle between Nadajnik and the sandbox's REST API that rewrites chosen checkout
// forms on their way to Nadajnik, so that an order carries hostile buyer text (markup, quotes,
// Unicode) through the real import. The sandbox's admin API creates orders but can't set their
// buyer fields, hence this. An account points its API URL here; OAuth goes to the sandbox itself.
'use strict';

const http = require('node:http');

// forms: Map checkoutFormId -> function(form) that edits the parsed form in place.
async function startAllegroProxy(upstreamBase, forms = new Map()) {
  const upstream = new URL(upstreamBase);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, host: upstream.host };
    delete headers['accept-encoding'];  // bodies we may rewrite must come back uncompressed
    const out = http.request({
      hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers,
    }, (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.url.startsWith('/order/checkout-forms') && answer.statusCode === 200) {
          body = Buffer.from(rewrite(body.toString('utf8'), forms));
        }
        const h = { ...answer.headers };
        delete h['content-length'];
        delete h['transfer-encoding'];
        h['content-length'] = String(body.length);
        res.writeHead(answer.statusCode, h);
        res.end(body);
      });
    });
    out.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${e.message}`);
    });
    req.pipe(out);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    forms,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

function rewrite(text, forms) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  const list = Array.isArray(doc.checkoutForms) ? doc.checkoutForms : [doc];
  let changed = false;
  for (const form of list) {
    const edit = form && forms.get(form.id);
    if (edit) {
      edit(form);
      changed = true;
    }
  }
  return changed ? JSON.stringify(doc) : text;
}

module.exports = { startAllegroProxy };
