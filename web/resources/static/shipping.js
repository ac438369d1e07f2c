// Progressive enhancement of the shipping pages; everything works without it (forms post, pages
// refresh). Loaded as a file (the panel's CSP allows no inline script).
(function () {
  'use strict';

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  // Order page: while a shipment is being created, ask for its state and reload once it is done.
  var poll = document.querySelector('[data-poll-shipments]');
  if (poll) {
    var url = poll.getAttribute('data-poll-shipments');
    var tries = 0;
    var tick = function () {
      getJson(url).then(function (j) {
        if (j && !j.pending) {
          window.location.reload();
        } else if (++tries < 300) {
          setTimeout(tick, 1000);
        }
      }).catch(function () { if (++tries < 300) setTimeout(tick, 3000); });
    };
    setTimeout(tick, 1000);
  }

  // Bulk result page: the shipments' states as the carrier confirms them.
  var labels = document.querySelector('[data-poll-states]');
  if (labels) {
    var statesUrl = labels.getAttribute('data-poll-states');
    var rounds = 0;
    var update = function () {
      getJson(statesUrl).then(function (j) {
        if (!j) return;
        j.shipments.forEach(function (s) {
          var row = document.querySelector('tr[data-shipment="' + String(Number(s.id)) + '"]');
          if (!row) return;
          var state = row.querySelector('td.shipment-state');
          var span = document.createElement('span');
          span.className = 'state' + (s.state === 'label_ready' ? ' good' : s.state === 'failed' ? ' warn' : '');
          span.textContent = s.stateLabel;
          state.textContent = '';
          state.appendChild(span);
          if (s.error) {
            var p = document.createElement('p');
            p.className = 'error-text';
            p.textContent = s.error;
            state.appendChild(p);
          }
          row.setAttribute('data-state', s.state);
          row.querySelector('td.tracking').textContent = s.trackingNumber || '';
        });
        var text = labels.querySelector('.labels-state');
        if (!j.pending) {
          text.textContent = 'Etykiety są gotowe.';
          labels.setAttribute('data-ready', '1');
        } else if (++rounds < 600) {
          setTimeout(update, 1000);
        }
      }).catch(function () { if (++rounds < 600) setTimeout(update, 3000); });
    };
    update();
  }

  // Create form: another carrier brings its contract's defaults (unless the user typed others).
  var carrier = document.getElementById('s-carrier');
  if (carrier) {
    var last = carrier.options[carrier.selectedIndex];
    carrier.addEventListener('change', function () {
      var now = carrier.options[carrier.selectedIndex];
      [['s-service', 'service'], ['s-template', 'template'], ['s-weight', 'weight']].forEach(function (f) {
        var input = document.getElementById(f[0]);
        if (input && (input.value === '' || input.value === (last.getAttribute('data-' + f[1]) || ''))) {
          input.value = now.getAttribute('data-' + f[1]) || '';
        }
      });
      last = now;
    });
  }

  // Orders list: "select all" and how many are selected.
  var all = document.querySelector('input[data-select-all]');
  var boxes = document.querySelectorAll('input[type=checkbox][form=bulk][name=order]');
  var count = document.querySelector('#bulk .selected-count');
  var showCount = function () {
    if (!count) return;
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) n++; });
    count.textContent = n ? '(' + n + ')' : '';
  };
  if (all) {
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      showCount();
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', showCount); });
})();
