/*
 * Hato webmail: live updates and keyboard shortcuts. Loaded from 'self' (no inline script anywhere: the
 * Content-Security-Policy forbids it). Everything works without it; it only saves reloads and clicks.
 */
(function () {
  'use strict';

  var main = document.getElementById('main');
  if (!main) {
    return;
  }


  // ------------------------------------------------------------------------------------------ live updates

  /** Replaces the folder tree and the message list with those of a fresh copy of this page. */
  function refresh() {
    var selected = document.querySelector('input[name="uid"]:checked');
    if (selected || document.activeElement && document.activeElement.matches('input[type="search"], select')) {
      return; // the person is choosing something: do not pull it away
    }
    fetch(window.location.href, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error('not refreshed');
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        ['folder-tree', 'live'].forEach(function (id) {
          var fresh = page.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) {
            var imported = document.importNode(fresh, true);
            old.replaceWith(imported);
            if (window.htmx) {
              window.htmx.process(imported);
            }
          }
        });
      })
      .catch(function () { /* the next change tries again */ });
  }

  if (window.EventSource && main.getAttribute('data-live') === 'on') {
    var events = new EventSource('/mail/events');
    events.addEventListener('open', function () {
      main.setAttribute('data-live-open', 'yes'); // for people's tools and the browser tests: listening now
    });
    events.addEventListener('change', function (event) {
      // This folder's list, or another folder's unread count in the tree: both are on this page.
      refresh();
    });
  }

  // ------------------------------------------------------------------------------------------- the HTML editor

  var editor = document.getElementById('editor');
  var htmlField = document.getElementById('html');
  var textField = document.getElementById('text');
  var formatHtml = document.getElementById('format-html');
  var formatText = document.getElementById('format-text');
  // Before anything is read from the form: the editor's content into the fields the server reads.
  function syncEditor() {
    if (editor && formatHtml && formatHtml.checked) {
      htmlField.value = editor.innerHTML;
      textField.value = editor.innerText;
    }
  }
  if (editor && htmlField && textField && formatHtml && formatText) {
    var escapeHtml = function (text) {
      return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    };
    var show = function (rich) {
      document.getElementById('editor-box').hidden = !rich;
      textField.hidden = rich;
      if (rich) {
        editor.focus();
      }
    };
    formatText.disabled = false;
    formatHtml.disabled = false;
    document.getElementById('format-choice').hidden = false;
    if (formatHtml.checked) {
      // The server cleaned this HTML (its own allow-list) before it put it in the page.
      editor.innerHTML = htmlField.value;
      show(true);
    }
    formatHtml.addEventListener('change', function () {
      editor.innerHTML = textField.value.split('\n').map(escapeHtml).join('<br>');
      show(true);
    });
    formatText.addEventListener('change', function () {
      textField.value = editor.innerText;
      show(false);
    });
    document.getElementById('editor-toolbar').addEventListener('click', function (event) {
      var button = event.target.closest('button[data-command]');
      if (!button) {
        return;
      }
      var command = button.getAttribute('data-command');
      var value = button.getAttribute('data-value');
      if (command === 'createLink') {
        value = window.prompt(button.getAttribute('data-prompt'), 'https://');
        if (!value || !/^(https?:|mailto:)/i.test(value)) {
          return;
        }
      }
      editor.focus();
      document.execCommand(command, false, value);
    });
    document.getElementById('compose-form').addEventListener('submit', syncEditor);
  }

  // ------------------------------------------------------------------------------------------- draft autosave

  var compose = document.getElementById('compose-form');
  if (compose && window.FormData && window.fetch) {
    var saved = null;
    var status = document.getElementById('draft-status');
    var snapshot = function () {
      syncEditor();
      return ['to', 'cc', 'bcc', 'subject', 'text', 'html'].map(function (name) {
        return compose.elements[name] ? compose.elements[name].value : '';
      }).join('\u0000');
    };
    saved = snapshot();
    var save = function () {
      var now = snapshot();
      if (now === saved) {
        return;
      }
      var data = new FormData(compose);
      data.delete('attachment'); // files go with the real save or the message, not every 30 seconds
      fetch('/mail/compose/draft', {method: 'POST', body: data, credentials: 'same-origin'})
        .then(function (response) {
          if (!response.ok) {
            throw new Error('not saved');
          }
          return response.json();
        })
        .then(function (answer) {
          document.getElementById('draft-uid').value = String(answer.uid);
          saved = now;
          if (status) {
            status.textContent = status.getAttribute('data-saved');
          }
        })
        .catch(function () { /* tried again in 30 seconds */ });
    };
    window.setInterval(save, 30000);
  }

  // ------------------------------------------------------------------------------------- keyboard shortcuts

  function click(id) {
    var element = document.getElementById(id);
    if (element) {
      element.click();
      return true;
    }
    return false;
  }

  function links() {
    return Array.prototype.slice.call(document.querySelectorAll('.message-list a.open'));
  }

  function move(step) {
    var all = links();
    if (!all.length) {
      return;
    }
    var at = all.indexOf(document.activeElement);
    var next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
    var row = all[next].closest('tr');
    document.querySelectorAll('.message-list tr.current').forEach(function (r) { r.classList.remove('current'); });
    if (row) {
      row.classList.add('current');
    }
  }

  var pendingG = false;
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      if (event.key === 'Escape') {
        target.blur();
      }
      return;
    }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === 'i') {
        window.location.href = '/mail';
        event.preventDefault();
      }
      return;
    }
    var handled = true;
    switch (key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case 'o':
        if (document.activeElement && document.activeElement.matches('a.open')) {
          document.activeElement.click();
        } else {
          handled = false;
        }
        break;
      case 'x': {
        var row = document.activeElement && document.activeElement.closest('tr');
        var box = row && row.querySelector('input[name="uid"]');
        if (box) {
          box.checked = !box.checked;
        } else {
          handled = false;
        }
        break;
      }
      case '#':
      case 'Delete': handled = click('delete-message') || click('delete-selected'); break;
      case 'u': handled = click('back-to-list'); break;
      case 'U': handled = click('mark-unread'); break;
      case 's': handled = click('toggle-flag'); break;
      case '/': {
        var search = document.getElementById('search-text');
        if (search) {
          search.focus();
        } else {
          handled = false;
        }
        break;
      }
      case 'g': pendingG = true; break;
      case '?': {
        var help = document.getElementById('shortcuts');
        if (help) {
          help.hidden = !help.hidden;
        } else {
          handled = false;
        }
        break;
      }
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });
}());
