import { render } from 'preact';
import { PopupApp } from '@/components/PopupApp';
import { connectPopup } from '@/lib/platform/popup-connection';

const connection = connectPopup();
const root = document.getElementById('app');
if (root) render(<PopupApp {...connection} />, root);
