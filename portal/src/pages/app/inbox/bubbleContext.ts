// What message bubbles may need beyond the message: the business's templates (to draw a sent
// template's header, footer and buttons) and, on the test phone, what tapping a button does.
import { createContext, useContext } from 'react';
import type { Template } from '../../../api';

export interface TappedReply {
  kind: 'button' | 'list';
  id: string;
  title: string;
}

export interface BubbleContextValue {
  templates: Map<string, Template>;
  /** Set on the test phone: buttons and list rows the business sent can be tapped. */
  onReply?: (reply: TappedReply) => void;
  /** Who looks at the thread: agents see a template's name, customers do not. */
  viewer: 'agent' | 'customer';
}

export const BubbleContext = createContext<BubbleContextValue>({ templates: new Map(), viewer: 'agent' });

export const useBubbleContext = () => useContext(BubbleContext);
