#!/usr/bin/env node
'use strict';
require('../app/dist/cli/index.js');
