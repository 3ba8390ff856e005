/* The Studio editor of every personalized_path block, built from the block's editor spec.
   One small list editor (rows of cells) serves statements, levels, tiles, questions, choices,
   routes, sources and skills. The server validates; its messages are shown by the field they
   name. Text goes into the page with textContent only. */
(function (window) {
  "use strict";
  var document = window.document;
  var counter = 0;
  var catalogQueue = window.Promise.resolve();

  function uid(prefix) {
    counter += 1;
    return "pp-editor-" + prefix + "-" + counter;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) { return; }
      if (name === "className") { node.className = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function format(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (match, key) {
      return params[key] === undefined ? match : String(params[key]);
    });
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
  }

  /* The parts every control has: a wrapper, a help line and an error line, tied to the input. */
  function frame(spec, wide) {
    var id = uid(spec.key || spec.name || "field");
    var wrapper = el("div", {className: (spec.name ? "pp-field" : "pp-cell") + (wide ? " pp-wide" : "")});
    var help = spec.help ? el("p", {className: "pp-help", id: id + "-help"}, spec.help) : null;
    var error = el("p", {className: "pp-field-error", id: id + "-error"});
    return {id: id, wrapper: wrapper, help: help, error: error};
  }

  function describe(input, parts) {
    input.setAttribute("aria-describedby", parts.filter(Boolean).map(function (node) { return node.id; }).join(" "));
  }

  function errorSetter(parts, input) {
    return function (path, message) {
      parts.error.textContent = parts.error.textContent ? parts.error.textContent + " " + message : message;
      if (input) { input.setAttribute("aria-invalid", "true"); }
      return input || parts.error;
    };
  }

  /* --- plain controls: text, textarea, number, select, checkbox, skill, id ------------------- */

  function plainControl(spec, value, ctx) {
    var parts = frame(spec, spec.kind === "textarea" || spec.wide);
    var input;
    if (spec.kind === "checkbox" || spec.kind === "mark") {
      input = el("input", {type: "checkbox", id: parts.id});
      input.checked = Boolean(value);
      var line = el("div", {className: "pp-check"});
      line.appendChild(input);
      line.appendChild(el("label", {"for": parts.id}, spec.label));
      parts.wrapper.appendChild(line);
    } else {
      parts.wrapper.appendChild(el("label", {"for": parts.id}, spec.label));
      if (spec.kind === "textarea") {
        // dir=auto: author text keeps its own direction (English in an Arabic Studio reads left to right).
        input = el("textarea", {id: parts.id, rows: spec.rows || 3, dir: "auto"});
      } else if (spec.kind === "select") {
        input = el("select", {id: parts.id});
        // A choice with no safe default (a new tile's kind) starts on a placeholder the author must change.
        if (spec.placeholder && isEmpty(value)) { input.appendChild(el("option", {value: ""}, spec.placeholder)); }
        (spec.options || []).forEach(function (option) {
          input.appendChild(el("option", {value: option.value}, option.label));
        });
        if (!isEmpty(value) && !(spec.options || []).some(function (option) { return String(option.value) === String(value); })) {
          input.appendChild(el("option", {value: value}, String(value)));
        }
      } else if (spec.kind === "number") {
        input = el("input", {type: "number", id: parts.id, inputmode: spec.integer ? "numeric" : "decimal",
                             min: spec.min, max: spec.max, step: spec.step || (spec.integer ? 1 : "any")});
      } else {
        input = el("input", {type: "text", id: parts.id, autocomplete: "off", dir: "auto",
                             spellcheck: spec.kind === "text" ? null : "false",
                             list: spec.kind === "skill" ? ctx.skillList : (spec.kind === "topic" ? ctx.topicList : null)});
      }
      if (spec.kind !== "select" || !isEmpty(value) || spec.placeholder) { input.value = isEmpty(value) ? "" : String(value); }
      parts.wrapper.appendChild(input);
    }
    var note = null;
    if (spec.kind === "skill" || spec.kind === "topic") {
      note = el("p", {className: "pp-help", id: parts.id + "-note", "aria-live": "polite"});
      parts.wrapper.appendChild(note);
    }
    if (parts.help) { parts.wrapper.appendChild(parts.help); }
    parts.wrapper.appendChild(parts.error);
    describe(input, [parts.help, note, parts.error]);
    return {
      node: parts.wrapper,
      input: input,
      get: function () {
        if (spec.kind === "checkbox" || spec.kind === "mark") { return input.checked; }
        if (spec.numbers && input.value.trim() !== "" && isFinite(Number(input.value))) { return Number(input.value); }
        if (spec.kind === "number") {
          if (input.value.trim() === "") { return null; }
          var number = Number(input.value);
          return isFinite(number) ? number : input.value;
        }
        return input.value;
      },
      setError: errorSetter(parts, input),
      refresh: function () {
        var typed = input.value.trim();
        if (!note || !typed || !ctx.catalog) {
          if (note) { note.textContent = ""; }
        } else if (spec.kind === "skill") {
          var framed = (ctx.catalog.framework || []).filter(function (each) { return each.slug === typed; })[0];
          note.textContent = framed ? format(ctx.messages.framework_skill, {taxonomy: framed.taxonomy, path: framed.path.join(" › ")})
            : (ctx.catalog.skills.indexOf(typed) >= 0 ? ctx.messages.known_skill : ctx.messages.new_skill);
        } else {
          var topic = ctx.catalog.topics.filter(function (each) { return each.id === typed; })[0];
          note.textContent = topic ? format(ctx.messages.known_topic, {label: topic.label}) : ctx.messages.new_topic;
        }
      }
    };
  }

  /* --- block picker: the course's blocks that fit, grouped by their place -------------------- */

  function referenceControl(spec, value, ctx) {
    var parts = frame(spec, true);
    var select = el("select", {id: parts.id});
    var idLine = el("p", {className: "pp-block-id", id: parts.id + "-id"});
    parts.wrapper.appendChild(el("label", {"for": parts.id}, spec.label));
    parts.wrapper.appendChild(select);
    parts.wrapper.appendChild(idLine);
    if (parts.help) { parts.wrapper.appendChild(parts.help); }
    parts.wrapper.appendChild(parts.error);
    describe(select, [idLine, parts.help, parts.error]);
    var current = isEmpty(value) ? "" : String(value);

    function fill() {
      var chosen = select.options.length ? select.value : current;
      select.textContent = "";
      if (spec.optional !== false) { select.appendChild(el("option", {value: ""}, ctx.messages.none)); }
      var fitting = ctx.catalog ? ctx.catalog.blocks.filter(function (block) {
        return spec.accepts.some(function (ability) { return block.can.indexOf(ability) >= 0; });
      }) : [];
      var groups = {};
      fitting.forEach(function (block) {
        var place = block.place.join(" / ");
        if (!groups[place]) {
          groups[place] = place ? el("optgroup", {label: place}) : select;
          if (place) { select.appendChild(groups[place]); }
        }
        groups[place].appendChild(el("option", {value: block.id}, block.name));
      });
      var known = fitting.some(function (block) { return block.id === chosen; });
      if (chosen && !known) {
        var label = ctx.catalog ? format(ctx.messages.not_found, {id: chosen}) : chosen;
        select.insertBefore(el("option", {value: chosen}, label), select.firstChild ? select.firstChild.nextSibling : null);
      }
      select.value = chosen;
      showId();
    }
    function showId() {
      idLine.textContent = select.value ? format(ctx.messages.block_id, {id: select.value}) : "";
    }
    select.addEventListener("change", showId);
    fill();
    ctx.pickers.push(fill);
    return {
      node: parts.wrapper,
      input: select,
      get: function () { return select.value || null; },
      setError: errorSetter(parts, select),
      refresh: function () {}
    };
  }

  /* --- the list editor: rows of cells, added, removed and reordered ---------------------------- */

  function rowsControl(spec, value, ctx, marked) {
    var parts = frame(spec, true);
    var box = el("fieldset", {className: parts.wrapper.className});
    box.appendChild(el("legend", {}, spec.label));
    if (parts.help) { box.appendChild(parts.help); box.setAttribute("aria-describedby", parts.help.id); }
    var list = el("ol", {className: "pp-rows"});
    var empty = el("p", {className: "pp-help"}, ctx.messages.no_rows);
    var add = el("button", {type: "button", className: "pp-button pp-add"}, spec.add_label);
    var preview = spec.preview === "grid" ? el("ol", {className: "pp-grid-preview", "aria-label": spec.preview_label}) : null;
    box.appendChild(list);
    box.appendChild(empty);
    box.appendChild(add);
    if (preview) { box.appendChild(preview); }
    box.appendChild(parts.error);
    var rows = [];
    var idColumn = spec.columns.filter(function (column) { return column.kind === "id"; })[0];

    function nextId() {
      var used = rows.map(function (row) { return row.cells[idColumn.key].get(); });
      for (var n = rows.length + 1; ; n += 1) {
        var candidate = (idColumn.prefix || "item") + "-" + n;
        if (used.indexOf(candidate) < 0) { return candidate; }
      }
    }

    function makeRow(item, isNew) {
      var li = el("li");
      var set = el("fieldset", {className: "pp-row"});
      var legend = el("legend");
      var cellsBox = el("div", {className: "pp-row-cells"});
      var rowError = el("p", {className: "pp-field-error"});
      var row = {li: li, legend: legend, cells: {}, error: rowError};
      if (spec.flat) { item = {value: item}; }
      item = item || {};
      row.extra = {};  // keys this editor does not show (set in OLX) are kept as they are
      Object.keys(spec.flat ? {} : item).forEach(function (key) {
        var shown = spec.columns.some(function (column) { return column.key === key || column.marks_into === key; });
        if (!shown) { row.extra[key] = item[key]; }
      });
      if (isNew && idColumn) { item[idColumn.key] = nextId(); }
      spec.columns.forEach(function (column) {
        var cellValue = item[column.key];
        if (column.kind === "mark") { cellValue = (marked || []).indexOf(item.id) >= 0; }
        // A saved row without this key means what the server takes it to mean (a tile's kind: "Activity").
        if (!isNew && isEmpty(cellValue) && column.saved_default !== undefined) { cellValue = column.saved_default; }
        var control = buildControl(column, cellValue, ctx, column.kind === "rows" ? item[column.marks_into] : null);
        row.cells[column.key] = control;
        cellsBox.appendChild(control.node);
      });
      var actions = el("div", {className: "pp-row-actions"});
      row.up = el("button", {type: "button", className: "pp-button"}, ctx.messages.move_up);
      row.down = el("button", {type: "button", className: "pp-button"}, ctx.messages.move_down);
      row.remove = el("button", {type: "button", className: "pp-button"}, ctx.messages.remove);
      [row.up, row.down, row.remove].forEach(function (button) { actions.appendChild(button); });
      row.up.addEventListener("click", function () { move(row, -1, row.up); });
      row.down.addEventListener("click", function () { move(row, 1, row.down); });
      row.remove.addEventListener("click", function () { removeRow(row); });
      set.appendChild(legend);
      set.appendChild(cellsBox);
      set.appendChild(rowError);
      set.appendChild(actions);
      li.appendChild(set);
      return row;
    }

    function renumber() {
      rows.forEach(function (row, index) {
        var name = format(spec.item_label, {n: index + 1});
        row.legend.textContent = name;
        row.up.setAttribute("aria-label", ctx.messages.move_up + ": " + name);
        row.down.setAttribute("aria-label", ctx.messages.move_down + ": " + name);
        row.remove.setAttribute("aria-label", ctx.messages.remove + ": " + name);
        row.up.disabled = index === 0;
        row.down.disabled = index === rows.length - 1;
      });
      empty.hidden = rows.length > 0;
      ctx.changed();
    }

    function move(row, step, button) {
      var index = rows.indexOf(row);
      var target = index + step;
      if (target < 0 || target >= rows.length) { return; }
      rows.splice(index, 1);
      rows.splice(target, 0, row);
      list.textContent = "";
      rows.forEach(function (each) { list.appendChild(each.li); });
      renumber();
      (button.disabled ? (step < 0 ? row.down : row.up) : button).focus();
    }

    function removeRow(row) {
      var index = rows.indexOf(row);
      rows.splice(index, 1);
      list.removeChild(row.li);
      renumber();
      var next = rows[Math.min(index, rows.length - 1)];
      (next ? next.remove : add).focus();
    }

    function append(item, isNew) {
      var row = makeRow(item, isNew);
      rows.push(row);
      list.appendChild(row.li);
      return row;
    }

    (Array.isArray(value) ? value : []).forEach(function (item) { append(item, false); });
    add.addEventListener("click", function () {
      var row = append(spec.flat ? "" : {}, true);
      renumber();
      var first = row.li.querySelector("input, textarea, select");
      if (first) { first.focus(); }
    });
    renumber();

    function getRow(row) {
      if (spec.flat) { return row.cells.value.get(); }
      var item = Object.assign({}, row.extra);
      spec.columns.forEach(function (column) {
        if (column.kind === "mark") { return; }
        var cellValue = row.cells[column.key].get();
        if (column.kind === "rows" && column.marks_into) {
          item[column.marks_into] = row.cells[column.key].marked();
        }
        if (!(column.optional && isEmpty(cellValue))) { item[column.key] = cellValue; }
      });
      return item;
    }

    function refreshPreview() {
      if (!preview) { return; }
      var layout = ctx.editors.layout;
      preview.hidden = !layout || layout.get() !== "grid";
      var rowsWanted = ctx.editors.rows ? Number(ctx.editors.rows.get()) || 0 : 0;
      var columns = ctx.editors.columns ? Number(ctx.editors.columns.get()) || 1 : 1;
      preview.style.setProperty("--pp-columns", String(Math.max(1, Math.min(columns, 5))));
      preview.textContent = "";
      var cells = Math.max(rows.length, Math.min(rowsWanted, 5) * Math.min(columns, 5));
      for (var index = 0; index < cells; index += 1) {
        var title = rows[index] ? rows[index].cells.title.get() : "";
        preview.appendChild(el("li", {className: rows[index] ? "" : "pp-grid-empty"},
                               rows[index] ? (title || format(spec.item_label, {n: index + 1})) : ctx.messages.empty_cell));
      }
    }

    return {
      node: box,
      get: function () { return rows.map(getRow); },
      marked: function () {
        var markColumn = spec.columns.filter(function (column) { return column.kind === "mark"; })[0];
        return rows.filter(function (row) { return row.cells[markColumn.key].get(); })
          .map(function (row) { return row.cells.id.get(); });
      },
      setError: function (path, message) {
        var match = /^\[(\d+)\](?:\.(\w+))?(.*)$/.exec(path || "");
        var row = match ? rows[Number(match[1])] : null;
        if (row) {
          var owner = spec.columns.filter(function (column) {
            return column.key === match[2] || (column.also || []).indexOf(match[2]) >= 0;
          })[0];
          var cell = spec.flat ? row.cells.value : (owner ? row.cells[owner.key] : null);
          if (cell) { return cell.setError(match[3], message); }
          row.error.textContent = row.error.textContent ? row.error.textContent + " " + message : message;
          return row.li.querySelector("input, textarea, select") || row.error;
        }
        parts.error.textContent = parts.error.textContent ? parts.error.textContent + " " + message : message;
        return list.querySelector("input, textarea, select") || add;
      },
      refresh: function () {
        rows.forEach(function (row) {
          Object.keys(row.cells).forEach(function (key) { row.cells[key].refresh(); });
        });
        refreshPreview();
      }
    };
  }

  /* --- which child belongs to which route --------------------------------------------------- */

  function assignControl(spec, value, ctx) {
    var parts = frame(spec, true);
    var box = el("fieldset", {className: parts.wrapper.className});
    box.appendChild(el("legend", {}, spec.label));
    if (parts.help) { box.appendChild(parts.help); box.setAttribute("aria-describedby", parts.help.id); }
    var assigned = value || {};
    var selects = (spec.children || []).map(function (child) {
      var control = plainControl({key: "child", kind: "select", label: child.label, options: []}, null, ctx);
      control.child = child.key;
      control.chosen = assigned[child.key] || "everyone";
      control.input.addEventListener("change", function () { control.chosen = control.input.value; });
      box.appendChild(control.node);
      return control;
    });
    if (!selects.length) { box.appendChild(el("p", {className: "pp-help"}, ctx.messages.no_rows)); }
    box.appendChild(parts.error);
    return {
      node: box,
      get: function () {
        var result = {};
        selects.forEach(function (control) {
          if (control.input.value && control.input.value !== "everyone") { result[control.child] = control.input.value; }
        });
        return result;
      },
      setError: errorSetter(parts, selects.length ? selects[0].input : null),
      refresh: function () {
        var source = ctx.editors[spec.options_from];
        var routes = source ? source.get() : [];
        selects.forEach(function (control) {
          var options = [{value: "everyone", label: ctx.messages.everyone}].concat(routes.filter(function (route) {
            return route.id;
          }).map(function (route) { return {value: route.id, label: route.label || route.id}; }));
          if (!options.some(function (option) { return option.value === control.chosen; })) {
            options.push({value: control.chosen, label: control.chosen});
          }
          var signature = JSON.stringify(options);
          if (control.signature === signature) { return; }
          control.signature = signature;
          control.input.textContent = "";
          options.forEach(function (option) { control.input.appendChild(el("option", {value: option.value}, option.label)); });
          control.input.value = control.chosen;
        });
      }
    };
  }

  /* --- settings that depend on another field's choice (the estimator's parameters) -------------- */

  function paramsControl(spec, value, ctx) {
    var parts = frame(spec, true);
    var box = el("fieldset", {className: parts.wrapper.className});
    box.appendChild(el("legend", {}, spec.label));
    if (parts.help) { box.appendChild(parts.help); }
    var groups = {};
    Object.keys(spec.params).forEach(function (method) {
      var group = el("div", {className: "pp-row-cells"});
      groups[method] = {node: group, controls: {}};
      spec.params[method].forEach(function (param) {
        var control = plainControl(Object.assign({kind: "number"}, param), (value || {})[param.key], ctx);
        groups[method].controls[param.key] = control;
        group.appendChild(control.node);
      });
      box.appendChild(group);
    });
    var none = el("p", {className: "pp-help"}, spec.none_label);
    box.appendChild(none);
    box.appendChild(parts.error);
    function method() { return ctx.editors[spec.by] ? ctx.editors[spec.by].get() : null; }
    return {
      node: box,
      get: function () {
        var group = groups[method()];
        var result = {};
        Object.keys(group ? group.controls : {}).forEach(function (key) {
          var number = group.controls[key].get();
          if (!isEmpty(number)) { result[key] = number; }
        });
        return result;
      },
      setError: function (path, message) {
        var group = groups[method()];
        var control = group && group.controls[(path || "").replace(/^\./, "")];
        return control ? control.setError("", message) : errorSetter(parts, null)("", message);
      },
      refresh: function () {
        var current = method();
        Object.keys(groups).forEach(function (key) { groups[key].node.hidden = key !== current; });
        none.hidden = Boolean(groups[current] && spec.params[current].length);
      }
    };
  }

  /* The block's sections (spec.sections: a label and field names) fold, as native details and
     summary elements (keyboard and screen readers know them): a long editor opens as a short list
     of what it holds. Fields in no section stay at the top; a section with an error opens. */
  function sectionsFor(args, fieldsBox) {
    var byField = {};
    (args.sections || []).forEach(function (section) {
      var details = el("details", {className: "pp-fold"});
      details.appendChild(el("summary", {}, section.label));
      var body = el("div", {className: "pp-fold-body"});
      details.appendChild(body);
      section.fields.forEach(function (name) { byField[name] = {details: details, body: body}; });
    });
    return function place(name, node) {
      var section = byField[name];
      if (!section) { fieldsBox.appendChild(node); return; }
      if (!section.details.parentNode) { fieldsBox.appendChild(section.details); }
      section.body.appendChild(node);
    };
  }

  function buildControl(spec, value, ctx, marked) {
    if (spec.kind === "rows") { return rowsControl(spec, value, ctx, marked); }
    if (spec.kind === "references") {
      return rowsControl(Object.assign({}, spec, {flat: true, columns: [
        {key: "value", kind: "reference", label: spec.item_name, accepts: spec.accepts, optional: false}]}), value, ctx);
    }
    if (spec.kind === "reference") { return referenceControl(spec, value, ctx); }
    if (spec.kind === "assign") { return assignControl(spec, value, ctx); }
    if (spec.kind === "params") { return paramsControl(spec, value, ctx); }
    return plainControl(spec, value, ctx);
  }

  /* --- the editor ------------------------------------------------------------------------------ */

  window.PersonalizedStudioEditor = function (runtime, element) {
    var block = window.PersonalizedPath.start(runtime, element);  // its args are the spec in the markup
    var root = block.root();
    var args = block.args;
    var form = root.querySelector(".pp-editor-form");
    var summary = root.querySelector(".pp-editor-summary");
    var catalogStatus = root.querySelector(".pp-editor-catalog");
    var fieldsBox = root.querySelector(".pp-editor-fields");
    var ctx = {messages: args.messages, catalog: null, pickers: [], editors: {}, skillList: uid("skills"),
               topicList: uid("topics")};
    var refreshing = false;
    ctx.changed = function () {
      if (refreshing) { return; }
      refreshing = true;
      args.fields.forEach(function (spec) {
        var editor = ctx.editors[spec.name];
        if (!editor) { return; }
        editor.refresh();
        if (spec.show_if) {
          editor.node.hidden = !Object.keys(spec.show_if).every(function (name) {
            return ctx.editors[name] && spec.show_if[name].indexOf(ctx.editors[name].get()) >= 0;
          });
        }
      });
      refreshing = false;
    };
    var skills = el("datalist", {id: ctx.skillList});
    var topics = el("datalist", {id: ctx.topicList});
    root.appendChild(skills);
    root.appendChild(topics);
    var place = sectionsFor(args, fieldsBox);
    args.fields.forEach(function (spec) {
      var editor = buildControl(spec, spec.value, ctx);
      ctx.editors[spec.name] = editor;
      place(spec.name, editor.node);
    });
    var actions = (args.actions || []).map(function (action) {
      var control = plainControl({name: action.name, kind: "checkbox", label: action.label, help: action.help}, false, ctx);
      fieldsBox.appendChild(control.node);
      return {name: action.name, control: control};
    });
    ctx.changed();
    form.addEventListener("input", ctx.changed);
    form.addEventListener("change", ctx.changed);

    var needsCatalog = JSON.stringify(args.fields).indexOf("\"kind\":\"reference") >= 0 ||
      JSON.stringify(args.fields).indexOf("\"kind\":\"skill\"") >= 0 ||
      JSON.stringify(args.fields).indexOf("\"kind\":\"topic\"") >= 0;
    if (needsCatalog) {
      catalogStatus.textContent = ctx.messages.loading;
      // One catalogue request at a time per page: a page may hold several editors (a unit's).
      catalogQueue = catalogQueue.then(function () {
        return block.send("editor_catalog", {}, {quiet: true});
      });
      catalogQueue.then(function (result) {
        if (!result.ok) {
          catalogStatus.textContent = ctx.messages.catalog_failed;
          root.setAttribute("data-catalog", "failed");
          return;
        }
        ctx.catalog = result.data;
        catalogStatus.textContent = result.data.truncated ? format(ctx.messages.catalog_truncated, {count: result.data.limit}) : "";
        // The course's skill frameworks first (each labelled by its path from the top, so the list
        // shows the hierarchy and typing a label finds it), then other skills the course already uses.
        var framework = result.data.framework || [];
        framework.forEach(function (skill) { skills.appendChild(el("option", {value: skill.slug}, skill.path.join(" › "))); });
        result.data.skills.forEach(function (skill) {
          if (!framework.some(function (each) { return each.slug === skill; })) { skills.appendChild(el("option", {value: skill})); }
        });
        result.data.topics.forEach(function (topic) { topics.appendChild(el("option", {value: topic.id}, topic.label)); });
        ctx.pickers.forEach(function (fill) { fill(); });
        ctx.changed();
        root.setAttribute("data-catalog", "ready");
      });
    }

    function placeErrors(errors) {
      var first = null;
      var unplaced = [];
      errors.forEach(function (entry) {
        var match = /^(\w+)(.*)$/.exec(entry.field || "");
        var name = match ? match[1] : "";
        var rest = match ? match[2] : "";
        var owner = args.fields.filter(function (spec) {
          return spec.name === name || (spec.errors_from && spec.errors_from[name] !== undefined);
        })[0];
        if (owner && owner.name !== name) {
          rest = rest.replace(/^(\[\d+\])$/, "$1." + owner.errors_from[name]);
        }
        var editor = owner ? ctx.editors[owner.name] : null;
        if (!editor && actions.some(function (action) { return action.name === name; })) {
          editor = actions.filter(function (action) { return action.name === name; })[0].control;
        }
        if (editor && !editor.node.hidden) {
          var target = editor.setError(rest, entry.message);
          var section = editor.node.closest("details");
          if (section) { section.open = true; }
          first = first || target;
        } else {
          unplaced.push(entry.message);
        }
      });
      summary.textContent = [ctx.messages.not_saved].concat(unplaced).join(" ");
      (first && first.focus ? first : summary).focus();
    }

    function values() {
      var result = {};
      args.fields.forEach(function (spec) { result[spec.name] = ctx.editors[spec.name].get(); });
      return result;
    }

    var saveButton = root.querySelector(".save-button");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // Any [aria-invalid] goes too: a route assignment's error marks the first select, which it does not describe.
      root.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
      var payload = {values: values()};
      actions.forEach(function (action) { payload[action.name] = action.control.get(); });
      if (runtime.notify) { runtime.notify("save", {state: "start", message: ctx.messages.saving}); }
      block.send("submit_studio_edits", payload, {button: saveButton, pending: null, failed: function (result) {
        if (result.status === 400 && result.data && result.data.errors) {
          placeErrors(result.data.errors);
        } else {
          block.fail(result);
          summary.focus();
        }
        if (runtime.notify) { runtime.notify("error", {title: ctx.messages.not_saved, message: summary.textContent}); }
      }}).then(function (result) {
        if (result.ok && runtime.notify) { runtime.notify("save", {state: "end"}); }
      });
    });
    root.querySelector(".cancel-button").addEventListener("click", function () {
      if (runtime.notify) { runtime.notify("cancel", {}); }
    });
  };
}(window));
