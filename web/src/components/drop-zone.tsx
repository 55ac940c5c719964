/**
 * A file picker that also takes files dropped on it. The input is a real `<input type="file">` inside the
 * label, so keyboards, screen readers and phones get the platform's own picker.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

export function DropZone(props: {
  onFiles: (files: File[]) => void;
  multiple?: boolean;
  disabled?: boolean;
  children: ComponentChildren;
}) {
  const [over, setOver] = useState(false);
  const take = (list: FileList | null | undefined) => {
    const files = [...(list ?? [])];
    if (files.length > 0) props.onFiles(props.multiple ? files : files.slice(0, 1));
  };
  return (
    <label
      class={`drop-zone${over ? " over" : ""}${props.disabled ? " disabled" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!props.disabled) take(e.dataTransfer?.files);
      }}
    >
      <input
        type="file"
        class="visually-hidden"
        // Any container the server decodes: audio and video files alike (the sound track is transcribed).
        accept="audio/*,video/*,.wav,.mp3,.flac,.ogg,.opus,.webm,.m4a,.aac,.amr,.aiff"
        multiple={props.multiple}
        disabled={props.disabled}
        onChange={(e) => {
          take(e.currentTarget.files);
          e.currentTarget.value = "";
        }}
      />
      {props.children}
    </label>
  );
}
