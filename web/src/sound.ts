// The alarm tone, made with the Web Audio API (no sound file): two short beeps at 880 Hz and
// 1,320 Hz with soft attack and release so they do not click. Browsers only allow audio after a
// user gesture; `unlock` is called from one (login, a click), and `blocked` tells the console to
// offer a button.

export class AlarmSound {
  private ctx: AudioContext | null = null;
  muted = false;
  played = 0; // tones played (read by the browser tests)

  get blocked(): boolean {
    return !this.ctx || this.ctx.state !== 'running';
  }

  unlock(): void {
    try {
      if (!this.ctx) this.ctx = new AudioContext();
      if (this.ctx.state === 'suspended') void this.ctx.resume();
    } catch {
      this.ctx = null; // no audio device: the console stays silent
    }
  }

  play(): void {
    if (this.muted) return;
    this.played++;
    const ctx = this.ctx;
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    [880, 1320].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t0 = start + i * 0.25;
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.3, t0 + 0.02);
      gain.gain.setValueAtTime(0.3, t0 + 0.18);
      gain.gain.linearRampToValueAtTime(0, t0 + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.23);
    });
  }
}
