export { csrfProtection } from './csrf';
export { errorHandler, notFound } from './errorHandler';
export { carriesFlash, flash, flashMessages } from './flash';
export { refuseNulCharacters } from './nulCharacters';
export { submitForm } from './submitForm';
export { echoedValues, formFields } from './formFields';
export { refuseNonPathTargets } from './requestTarget';
export { neverStored } from './neverStored';
export { refuseMalformedForms } from './bodyRefusals';
