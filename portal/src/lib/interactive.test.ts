import { describe, expect, it } from 'vitest';
import {
  buttonsBody,
  buttonsProblems,
  chars,
  choiceIds,
  emptyButtons,
  emptyList,
  listBody,
  listProblems,
  locationBody,
  locationProblems,
  parseCoordinate,
  parseCoordinatePair,
} from './interactive';

describe('reply buttons', () => {
  it('counts an emoji as one character, like WhatsApp', () => {
    expect(chars('Sí 👍')).toBe(4);
  });

  it('needs a body and a title per button; titles of at most 20 characters, all different', () => {
    expect(buttonsProblems(emptyButtons())).toEqual({
      body: { code: 'required' },
      'buttons.0': { code: 'required' },
      'buttons.1': { code: 'required' },
    });
    const p = buttonsProblems({ header: 'h'.repeat(61), body: 'b'.repeat(1025), footer: 'f'.repeat(60), buttons: ['Yes', ' yes ', 'x'.repeat(21)] });
    expect(p).toEqual({
      header: { code: 'tooLong', max: 60 },
      body: { code: 'tooLong', max: 1024 },
      'buttons.1': { code: 'duplicate' },
      'buttons.2': { code: 'tooLong', max: 20 },
    });
  });

  it('sends exactly the API shape: trimmed, ids from the titles, no empty header or footer', () => {
    expect(buttonsBody({ header: '  ', body: ' Shall we confirm Friday? ', footer: '', buttons: ['Yes, Friday', ' Another day '] })).toEqual({
      type: 'buttons',
      body: 'Shall we confirm Friday?',
      buttons: [
        { id: 'yes-friday', title: 'Yes, Friday' },
        { id: 'another-day', title: 'Another day' },
      ],
    });
    expect(buttonsBody({ header: 'Your visit', body: 'OK?', footer: 'Acme', buttons: ['Sí'] })).toEqual({
      type: 'buttons',
      body: 'OK?',
      buttons: [{ id: 'si', title: 'Sí' }],
      header: 'Your visit',
      footer: 'Acme',
    });
  });

  it('makes ids unique and readable, with a fallback for titles without letters', () => {
    expect(choiceIds(['9:00', '9:00', '👍', 'Ça va'])).toEqual(['9-00', '9-00-2', 'option-3', 'ca-va']);
  });
});

describe('lists', () => {
  it('needs a body, a button label and row titles; checks every length', () => {
    expect(listProblems(emptyList())).toEqual({
      body: { code: 'required' },
      button: { code: 'required' },
      'sections.0.rows.0.title': { code: 'required' },
      'sections.0.rows.1.title': { code: 'required' },
    });
    const p = listProblems({
      header: '',
      body: 'Pick a slot',
      footer: '',
      button: 'See all the available slots',
      sections: [{ title: '', rows: [{ title: 't'.repeat(25), description: 'd'.repeat(73) }] }],
    });
    expect(p).toEqual({
      button: { code: 'tooLong', max: 20 },
      'sections.0.rows.0.title': { code: 'tooLong', max: 24 },
      'sections.0.rows.0.description': { code: 'tooLong', max: 72 },
    });
  });

  it('with several sections each needs a title; rows differ within a section', () => {
    const p = listProblems({
      header: '',
      body: 'Pick a slot',
      footer: '',
      button: 'Slots',
      sections: [
        { title: 'Friday', rows: [{ title: '9:00', description: '' }, { title: '9:00', description: '' }] },
        { title: '', rows: [{ title: '9:00', description: '' }] },
      ],
    });
    expect(p).toEqual({ 'sections.0.rows.1.title': { code: 'duplicate' }, 'sections.1.title': { code: 'sectionTitle' } });
  });

  it('sends exactly the API shape, with unique row ids across sections', () => {
    expect(
      listBody({
        header: 'Visits',
        body: 'Pick a slot',
        footer: ' ',
        button: 'See slots',
        sections: [
          { title: 'Friday', rows: [{ title: '9:00', description: 'Morning' }] },
          { title: 'Saturday', rows: [{ title: '9:00', description: '' }] },
        ],
      }),
    ).toEqual({
      type: 'list',
      body: 'Pick a slot',
      button: 'See slots',
      sections: [
        { title: 'Friday', rows: [{ id: '9-00', title: '9:00', description: 'Morning' }] },
        { title: 'Saturday', rows: [{ id: '9-00-2', title: '9:00' }] },
      ],
      header: 'Visits',
    });
  });
});

describe('locations', () => {
  it('reads coordinates with a decimal point or comma, and pairs from text or map links', () => {
    expect(parseCoordinate(' 40.4168 ')).toBe(40.4168);
    expect(parseCoordinate('-3,7038')).toBe(-3.7038);
    expect(parseCoordinate('north')).toBeNull();
    expect(parseCoordinatePair('40.416775, -3.70379')).toEqual({ latitude: 40.416775, longitude: -3.70379 });
    expect(parseCoordinatePair('https://www.openstreetmap.org/?mlat=41.4036&mlon=2.1744#map=17/41.4036/2.1744')).toEqual({ latitude: 41.4036, longitude: 2.1744 });
    expect(parseCoordinatePair('https://www.google.com/maps/place/Eiffel/@48.8583701,2.2944813,17z')).toEqual({ latitude: 48.8583701, longitude: 2.2944813 });
    expect(parseCoordinatePair('40.41')).toBeNull();
    expect(parseCoordinatePair('140.1, 20.2')).toBeNull();
  });

  it('needs both coordinates, as numbers in range', () => {
    expect(locationProblems({ latitude: '', longitude: 'x', name: '', address: '' })).toEqual({ latitude: { code: 'required' }, longitude: { code: 'number' } });
    expect(locationProblems({ latitude: '91', longitude: '-181', name: '', address: '' })).toEqual({
      latitude: { code: 'range', min: -90, max: 90 },
      longitude: { code: 'range', min: -180, max: 180 },
    });
  });

  it('sends exactly the API shape', () => {
    expect(locationBody({ latitude: '40.4168', longitude: '-3,7038', name: ' Puerta del Sol ', address: '' })).toEqual({
      type: 'location',
      latitude: 40.4168,
      longitude: -3.7038,
      name: 'Puerta del Sol',
    });
  });
});
