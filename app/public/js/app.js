'use strict';
// Progressive enhancements only: every page works the same without this file.
(function () {
  // Each password field gets a button that shows or hides what was typed.
  function addPasswordToggle(input) {
    var wrapper = document.createElement('div');
    wrapper.className = 'password-field';
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var label = input.labels && input.labels[0] ? input.labels[0].textContent.trim().toLowerCase() : 'password';
    var toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'button button-secondary button-small password-toggle';
    var verb = document.createElement('span');
    var subject = document.createElement('span');
    subject.className = 'visually-hidden';
    subject.textContent = ' ' + label;
    toggle.append(verb, subject);
    function show(visible) {
      input.type = visible ? 'text' : 'password';
      verb.textContent = visible ? 'Hide' : 'Show';
    }
    show(false);
    toggle.addEventListener('click', function () {
      show(input.type === 'password');
      input.focus();
    });
    wrapper.appendChild(toggle);
  }

  // After a login that had ended, the page carries what the user typed into its form: put it back.
  // Only the user's own fields: hidden ones (what the page itself set) keep the page's values.
  var NOT_RESTORED = ['hidden', 'password', 'submit', 'reset', 'button', 'image', 'file'];

  function restoreFormDraft() {
    var fields;
    try {
      fields = JSON.parse(document.body.getAttribute('data-form-draft') || 'null');
    } catch {
      return;
    }
    if (!fields) return;
    var names = Object.keys(fields);
    var form = null;
    var matched = 0;
    document.querySelectorAll('form[method="post"]').forEach(function (candidate) {
      var count = names.filter(function (name) { return candidate.elements.namedItem(name); }).length;
      if (count > matched) {
        form = candidate;
        matched = count;
      }
    });
    if (!form) return;
    Array.prototype.forEach.call(form.elements, function (element) {
      // Buttons and files are not typed text: a button's value is its label, and a file input refuses one.
      if (!element.name || NOT_RESTORED.indexOf(element.type) !== -1 || element.tagName === 'BUTTON') return;
      var typed = Object.prototype.hasOwnProperty.call(fields, element.name) ? fields[element.name] : null;
      // A box left unticked is not sent at all.
      if (element.type === 'checkbox' || element.type === 'radio') element.checked = typed === element.value;
      else if (typed !== null) element.value = typed;
    });
  }

  function init() {
    document.querySelectorAll('input[type="password"]').forEach(addPasswordToggle);
    restoreFormDraft();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
