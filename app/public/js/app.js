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

  function init() {
    document.querySelectorAll('input[type="password"]').forEach(addPasswordToggle);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
