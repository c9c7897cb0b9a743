// The status page of a Tessera node: fetches status.json every second and renders it. No library, no build step.
// Unknown figures arrive as null and show as "—". Each member keeps its colour for the life of the page, so the
// partition grid before and after a change compares at a glance.
'use strict';

(function () {
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7',
    '#9c755f', '#bab0ac', '#2f4b7c', '#a05195'];
  const UNKNOWN = '—';
  const colours = new Map();
  const rendered = new Map();
  let cells = [];

  const $ = (id) => document.getElementById(id);

  function colourOf(name) {
    if (name == null) {
      return null;
    }
    if (!colours.has(name)) {
      colours.set(name, PALETTE[colours.size % PALETTE.length]);
    }
    return colours.get(name);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null) {
        continue;
      }
      if (key === 'class') {
        node.className = value;
      } else if (key === 'style') {
        Object.assign(node.style, value);
      } else if (key.startsWith('data-')) {
        node.setAttribute(key, value);
      } else {
        node[key] = value;
      }
    }
    for (const child of children) {
      if (child != null) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  // Whether a section's data differs from what it shows: unchanged sections are left alone, so a selection (an
  // address being copied) survives the refresh.
  function changed(section, data) {
    const key = JSON.stringify(data);
    if (rendered.get(section) === key) {
      return false;
    }
    rendered.set(section, key);
    return true;
  }

  // Puts rows into a table body, replacing only the cells that differ when the same rows (by data-key) are there.
  function patchRows(body, rows) {
    const old = [...body.rows];
    if (old.length !== rows.length || old.some((row, i) => row.dataset.key !== rows[i].dataset.key)) {
      body.replaceChildren(...rows);
      return;
    }
    rows.forEach((row, i) => {
      [...row.cells].forEach((cell, j) => {
        const current = old[i].cells[j];
        if (current.outerHTML !== cell.outerHTML) {
          current.replaceWith(cell);
        }
      });
    });
  }

  function number(value) {
    return value == null ? UNKNOWN : Math.round(value).toLocaleString('en-US');
  }

  function bytes(value) {
    if (value == null) {
      return UNKNOWN;
    }
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let v = value;
    let unit = 0;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return (v >= 100 || unit === 0 ? Math.round(v) : v.toFixed(1)) + ' ' + units[unit];
  }

  function duration(seconds) {
    if (seconds == null) {
      return UNKNOWN;
    }
    const d = Math.floor(seconds / 86400);
    const h = Math.floor(seconds % 86400 / 3600);
    const m = Math.floor(seconds % 3600 / 60);
    const s = Math.floor(seconds % 60);
    if (d > 0) {
      return d + 'd ' + h + 'h';
    }
    if (h > 0) {
      return h + 'h ' + String(m).padStart(2, '0') + 'm';
    }
    return m > 0 ? m + 'm ' + String(s).padStart(2, '0') + 's' : s + 's';
  }

  function clock(iso) {
    return iso == null ? UNKNOWN : new Date(iso).toLocaleTimeString('en-GB');
  }

  function numCell(text) {
    return el('td', {class: text === UNKNOWN ? 'num muted' : 'num'}, text);
  }

  function heapCell(used, max) {
    if (used == null) {
      return el('td', {class: 'muted'}, UNKNOWN);
    }
    const share = max ? Math.min(100, used * 100 / max) : 0;
    return el('td', {},
      el('div', {class: 'heap'},
        el('div', {class: 'bar'}, el('span', {style: {width: share + '%'}})),
        el('span', {class: 'heap-text'}, bytes(used) + (max ? ' / ' + bytes(max) : ''))));
  }

  function renderHeader(s) {
    $('cluster-name').textContent = s.cluster;
    $('local-member').textContent = s.member;
    document.title = 'Tessera · ' + s.cluster + ' · ' + s.member;
    const badge = $('readiness');
    badge.dataset.ready = String(s.ready);
    badge.className = 'badge ' + (s.ready ? 'badge-up' : 'badge-down');
    badge.replaceChildren(s.ready ? 'ready'
      : el('span', {}, 'not ready · ', el('span', {class: 'reason'}, s.readiness.reason || UNKNOWN)));
    $('updated').textContent = clock(s.takenAt);
    $('version').textContent = 'tessera-server ' + s.server.version;
  }

  function renderKpis(s, counts) {
    $('kpi-members').textContent = s.members.length;
    $('kpi-partitions').textContent = s.partitions.length;
    $('kpi-table-version').textContent = s.tableVersion || UNKNOWN;
    const moving = s.partitions.filter((p) => p.state === 'SYNCING' || p.state === 'MIGRATING').length;
    $('kpi-moving').textContent = moving + ' / ' + counts.lost;
    $('kpi-moving').classList.toggle('alert', counts.lost > 0);
    $('kpi-moving-sub').textContent = s.migrations.length + ' migration' + (s.migrations.length === 1 ? '' : 's')
      + ' running';
    $('kpi-connections').textContent = number(s.server.connections);
    $('kpi-resp-address').textContent = s.server.respAddress;
    $('kpi-ops').textContent = number(s.server.opsPerSecond);
    $('kpi-heap').textContent = bytes(s.server.heapUsedBytes);
    $('kpi-uptime').textContent = 'of ' + bytes(s.server.heapMaxBytes) + ' · up ' + duration(s.server.uptimeSeconds);
  }

  function renderMembers(s, counts) {
    const rows = s.members.map((m) => el('tr', {'data-member': m.name, 'data-key': m.id},
      el('td', {},
        el('div', {class: 'member-name'},
          el('span', {class: 'swatch', style: {background: colourOf(m.name)}}),
          m.name,
          m.local ? el('span', {class: 'chip chip-local'}, 'this node') : null,
          m.coordinator ? el('span', {class: 'chip'}, 'coordinator') : null)),
      el('td', {class: m.address ? '' : 'muted'}, m.address || UNKNOWN),
      numCell(duration(m.uptimeSeconds)),
      heapCell(m.heapUsedBytes, m.heapMaxBytes),
      numCell(number(m.entries)),
      numCell(number(m.opsPerSecond)),
      numCell(number(counts.primaries.get(m.name) || 0)),
      numCell(number(counts.backups.get(m.name) || 0))));
    patchRows($('members').tBodies[0], rows);
  }

  function renderPartitions(s, counts) {
    const grid = $('partition-grid');
    const n = s.partitions.length;
    if (cells.length !== n) {
      // 16 × 16 cells of 26 px for the default 256 partitions; smaller cells for more, so 16384 still fit a screen.
      grid.style.gridTemplateColumns = 'repeat(' + Math.max(1, Math.ceil(Math.sqrt(n))) + ', auto)';
      grid.style.setProperty('--cell', (n <= 256 ? 26 : n <= 1024 ? 14 : n <= 4096 ? 8 : 4) + 'px');
      grid.classList.toggle('dense', n > 1024);
      cells = s.partitions.map(() => el('div', {class: 'cell', role: 'gridcell'}, el('span', {class: 'backup-dot'})));
      grid.replaceChildren(...cells);
    }
    s.partitions.forEach((p, i) => {
      const cell = cells[i];
      cell.dataset.partition = p.id;
      cell.dataset.primary = p.primary == null ? '' : p.primary;
      cell.dataset.state = p.state;
      cell.className = 'cell state-' + p.state;
      cell.style.backgroundColor = colourOf(p.primary) || '';
      const dot = cell.firstChild;
      dot.hidden = p.backups.length === 0;
      dot.style.backgroundColor = colourOf(p.backups[0]) || '';
      cell.title = 'partition ' + p.id + ' · ' + p.state.toLowerCase() + '\nprimary: ' + (p.primary || 'none')
        + '\nbackups: ' + (p.backups.length ? p.backups.join(', ') : 'none');
    });
    $('partitions-caption').textContent = n + ' partitions, coloured by primary';
    const names = [...counts.primaries.keys()].sort();
    if (!changed('legend', [...counts.primaries])) {
      return;
    }
    $('legend').replaceChildren(...names.map((name) => el('span', {class: 'legend-item', 'data-member': name},
      el('span', {class: 'swatch', style: {background: colourOf(name)}}), name,
      el('span', {class: 'count'}, counts.primaries.get(name)))));
  }

  function renderMigrations(s) {
    if (!changed('migrations', s.migrations)) {
      return;
    }
    $('migrations-count').textContent = s.migrations.length ? '(' + s.migrations.length + ')' : '';
    if (!s.migrations.length) {
      $('migrations').replaceChildren(el('p', {class: 'placeholder'}, 'No partition is being copied.'));
      return;
    }
    $('migrations').replaceChildren(...s.migrations.map((m) => {
      const known = m.totalBytes != null && m.totalBytes > 0 && m.copiedBytes != null;
      const share = known ? Math.min(100, m.copiedBytes * 100 / m.totalBytes) : 0;
      return el('div', {class: 'migration'},
        el('div', {class: 'migration-head'},
          el('span', {}, 'partition ' + m.partition + ': ' + (m.source || UNKNOWN) + ' → ' + (m.target || UNKNOWN)),
          el('span', {class: 'muted'}, known ? Math.round(share) + '% of ' + bytes(m.totalBytes)
            : bytes(m.copiedBytes) + ' copied')),
        el('div', {class: 'bar' + (known ? '' : ' indeterminate')}, el('span', {style: {width: share + '%'}})));
    }));
  }

  function renderMaps(s) {
    const body = $('maps').tBodies[0];
    if (!s.maps.length) {
      patchRows(body, [el('tr', {class: 'empty', 'data-key': ''},
        el('td', {colSpan: 4}, 'No map figures reported yet.'))]);
      return;
    }
    // A RESP node holds sixteen databases, most of them empty: list the maps that hold or serve something, in
    // natural order (redis-db-2 before redis-db-10), and count the rest.
    const shown = s.maps.filter((m) => m.entries > 0 || m.opsPerSecond > 0)
      .sort((a, b) => a.name.localeCompare(b.name, undefined, {numeric: true}));
    const rows = shown.map((m) => el('tr', {'data-map': m.name, 'data-key': m.name},
      el('td', {}, m.name),
      numCell(number(m.entries)),
      numCell(bytes(m.memoryBytes)),
      numCell(number(m.opsPerSecond))));
    const empty = s.maps.length - shown.length;
    if (empty > 0) {
      rows.push(el('tr', {class: 'empty', 'data-key': '#empty'},
        el('td', {colSpan: 4}, empty + (empty === 1 ? ' empty map' : ' empty maps') + ' not shown')));
    }
    patchRows(body, rows);
  }

  function renderEvents(s) {
    if (!changed('events', s.events)) {
      return;
    }
    if (!s.events.length) {
      $('events').replaceChildren(el('li', {class: 'placeholder'}, 'No membership events reported yet.'));
      return;
    }
    $('events').replaceChildren(...s.events.slice().reverse().map((e) => el('li', {},
      el('time', {}, clock(e.at)),
      el('span', {class: 'kind kind-' + e.kind}, e.kind.toLowerCase()),
      el('span', {}, e.members.join(', ')),
      el('span', {class: 'muted'}, '→ ' + e.viewSize + ' member' + (e.viewSize === 1 ? '' : 's')))));
  }

  function count(s) {
    const primaries = new Map();
    const backups = new Map();
    let lost = 0;
    // Colours go to members in name order the first time they are seen: node1, node2, node3 keep theirs.
    [...s.members.map((m) => m.name)].sort().forEach(colourOf);
    for (const p of s.partitions) {
      if (p.primary == null) {
        lost++;
      } else {
        primaries.set(p.primary, (primaries.get(p.primary) || 0) + 1);
      }
      for (const b of p.backups) {
        backups.set(b, (backups.get(b) || 0) + 1);
      }
    }
    return {primaries, backups, lost};
  }

  function render(s) {
    const counts = count(s);
    renderHeader(s);
    renderKpis(s, counts);
    renderMembers(s, counts);
    renderPartitions(s, counts);
    renderMigrations(s);
    renderMaps(s);
    renderEvents(s);
  }

  function trouble(text) {
    const banner = $('banner');
    banner.textContent = text;
    banner.hidden = false;
    $('main').classList.add('stale');
  }

  async function refresh() {
    try {
      const response = await fetch('status.json', {cache: 'no-store'});
      const body = await response.json();
      if (response.ok) {
        render(body);
        $('banner').hidden = true;
        $('main').classList.remove('stale');
      } else {
        trouble('The node is not serving its status: ' + (body.reason || response.status) + '. Retrying…');
        const badge = $('readiness');
        badge.className = 'badge badge-down';
        badge.dataset.ready = 'false';
        badge.textContent = 'not ready · ' + (body.reason || response.status);
      }
    } catch (e) {
      trouble('Lost contact with the node (' + e.message + '). Retrying every second…');
      const badge = $('readiness');
      badge.className = 'badge badge-unknown';
      badge.dataset.ready = 'unknown';
      badge.textContent = 'no contact';
    } finally {
      setTimeout(refresh, 1000);
    }
  }

  refresh();
})();
