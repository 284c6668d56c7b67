// Entry point of the console: resume the session (GET /api/me) or show the login page, then
// start the console for that user.

import 'leaflet/dist/leaflet.css';
import './style.css';
import { Api, ApiError } from './api';
import { ConsoleApp } from './app';
import { escapeHtml } from './format';
import type { Session } from './types';

const root = document.getElementById('app') as HTMLElement;
const api = new Api();
let app: ConsoleApp | null = null;

function showLogin(message = ''): void {
  app?.destroy();
  app = null;
  root.innerHTML = `
    <div class="login">
      <form data-testid="login-form" autocomplete="on">
        <h1>PICKET</h1>
        <div class="muted">Operator console — sign in</div>
        <label>User name <input name="username" autocomplete="username" required autofocus /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button class="primary" type="submit">Sign in</button>
        <div class="error" data-testid="login-error">${escapeHtml(message)}</div>
      </form>
    </div>`;
  const form = root.querySelector('form') as HTMLFormElement;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const err = form.querySelector('.error') as HTMLElement;
    err.textContent = '';
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    api
      .login(String(data.get('username') ?? ''), String(data.get('password') ?? ''))
      .then((s) => start(s, true))
      .catch((e: unknown) => {
        button.disabled = false;
        if (e instanceof ApiError && e.status === 401) err.textContent = 'Wrong user name or password.';
        else if (e instanceof ApiError && e.status === 429) err.textContent = 'Too many attempts: wait and try again.';
        else err.textContent = (e as Error).message;
      });
  });
}

function start(session: Session, fromGesture: boolean): void {
  root.innerHTML = '';
  app = new ConsoleApp(root, api, session, {
    onLogout: (msg) => showLogin(msg),
  });
  void app.start(fromGesture);
}

api.onUnauthorized(() => {
  if (app) showLogin('Your session has ended: sign in again.');
});

api
  .me()
  .then((s) => start(s, false))
  .catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else showLogin(`Cannot reach the server: ${(e as Error).message}`);
  });
